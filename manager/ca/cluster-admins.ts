// Admin certificates (`cluster admin add|ls|rm`): each has a new unique id as CN and a name in the
// cluster object's registry; revoking one adds its id to the revoked set, refused everywhere at once.
import { FlotillaError } from '../../shared/errors/index.js';
import { newId } from '../store/index.js';
import type { ClusterCa, TlsCredentials } from './cluster-ca.js';
import type { AdminRecord } from './cluster.js';
import { withAdmin } from './cluster-edits.js';
import { createCsr, generateKeyPair } from './pki.js';

/** Admins not revoked, oldest first. */
export function listAdmins(ca: ClusterCa): AdminRecord[] {
  return (ca.cluster.admins ?? []).filter((a) => !ca.isRevoked(a.id));
}

/** Signs the CSR of a new admin named `name` (ADMIN_ALREADY_EXISTS while one is current). */
export async function issueAdminCertificate(
  ca: ClusterCa,
  name: string,
  csrPem: string,
): Promise<{ admin: AdminRecord; certPem: string; caCertPem: string }> {
  const admin: AdminRecord = { id: newId(), name, createdAt: new Date().toISOString() };
  const certPem = await ca.signAdminCsr(csrPem, admin.id);
  // Recorded before the certificate leaves this manager: every admin certificate is listed.
  await ca.edit((c) => withAdmin(c, admin));
  return { admin, certPem, caCertPem: ca.caCertPem };
}

/** A key made here and an admin certificate for it (the context `manager --init` writes). */
export async function issueAdminKeyAndCertificate(
  ca: ClusterCa,
  name: string,
): Promise<TlsCredentials> {
  const { keys, keyPem } = await generateKeyPair();
  const { certPem, caCertPem } = await issueAdminCertificate(
    ca,
    name,
    await createCsr('CN=x', keys),
  );
  return { certPem, keyPem, caCertPem };
}

/** Revokes the admin named `nameOrId` (or with that id). */
export async function revokeAdmin(ca: ClusterCa, nameOrId: string): Promise<AdminRecord> {
  const a = listAdmins(ca).find((x) => x.name === nameOrId || x.id === nameOrId);
  if (!a) throw new FlotillaError('ADMIN_NOT_FOUND', { name: nameOrId });
  await ca.revoke(a.id);
  return a;
}
