// Pure edits of the cluster object for access control, applied by ClusterCa inside
// store.updateCluster: join-token expiry, the admin registry, the KEK sealed per manager and its
// rotation. No keys are held here; the caller passes what it has.
import { FlotillaError } from '../../shared/errors/index.js';
import { newId } from '../store/index.js';
import type { AdminRecord, ClusterSettings, KekState } from './cluster.js';
import { encrypt } from './key-encryption.js';
import { sealFor } from './seal.js';

type Role = 'worker' | 'manager';

/** `expiresAt` for a token made at `nowMs` under an expiry of `ns` (0 or absent: never). */
export function expiryFrom(nowMs: number, ns: number | undefined): { expiresAt?: string } {
  return ns && ns > 0 ? { expiresAt: new Date(nowMs + ns / 1e6).toISOString() } : {};
}

/** The roles' current tokens expire as given (a fresh `expiresAt`, or none). */
export function withTokenExpiry(
  c: ClusterSettings,
  roles: readonly Role[],
  expiry: { expiresAt?: string },
): ClusterSettings {
  const joinTokens = { ...c.joinTokens };
  for (const role of roles) {
    const { expiresAt: _old, ...state } = c.joinTokens[role];
    joinTokens[role] = { ...state, ...expiry };
  }
  return { ...c, joinTokens };
}

/** Adds an admin; ADMIN_ALREADY_EXISTS while a non-revoked one has the name. */
export function withAdmin(c: ClusterSettings, admin: AdminRecord): ClusterSettings {
  const revoked = new Set(c.revokedNodeIds ?? []);
  if ((c.admins ?? []).some((a) => a.name === admin.name && !revoked.has(a.id)))
    throw new FlotillaError('ADMIN_ALREADY_EXISTS', { name: admin.name });
  return { ...c, admins: [...(c.admins ?? []), admin] };
}

/** Revokes an id; a manager's sealed KEK goes in the same write, so it gets no later KEK. */
export function withRevoked(c: ClusterSettings, id: string): ClusterSettings {
  const ids = new Set(c.revokedNodeIds ?? []);
  ids.add(id);
  const out: ClusterSettings = { ...c, revokedNodeIds: [...ids] };
  if (c.kek?.sealed[id]) {
    const sealed = { ...c.kek.sealed };
    delete sealed[id];
    out.kek = { ...c.kek, sealed };
  }
  return out;
}

/** The KEK sealed for one more manager (its seal public key). */
export function withSealedKek(
  c: ClusterSettings,
  managerId: string,
  publicKeyPem: string,
  kek: Buffer,
): ClusterSettings {
  const state: KekState = c.kek ?? { id: newId(), rotatedAt: c.createdAt, sealed: {} };
  const entry = { publicKeyPem, sealed: sealFor(publicKeyPem, kek) };
  return { ...c, kek: { ...state, sealed: { ...state.sealed, [managerId]: entry } } };
}

/**
 * A new KEK generation: the CA key and the token key encrypted under `newKek`, `newKek` sealed
 * for every manager that has an entry and is not revoked, a new `kek.id`.
 */
export function withRotatedKek(
  c: ClusterSettings,
  k: { newKek: Buffer; caKeyPem: string; tokenKey: Buffer; nowMs: number },
): ClusterSettings {
  const revoked = new Set(c.revokedNodeIds ?? []);
  const sealed: KekState['sealed'] = {};
  for (const [id, e] of Object.entries(c.kek?.sealed ?? {}))
    if (!revoked.has(id))
      sealed[id] = { publicKeyPem: e.publicKeyPem, sealed: sealFor(e.publicKeyPem, k.newKek) };
  return {
    ...c,
    ca: { ...c.ca, encryptedKeyPem: encrypt(k.newKek, k.caKeyPem) },
    tokenKeySealed: encrypt(k.newKek, k.tokenKey.toString('base64')),
    kek: { id: newId(), rotatedAt: new Date(k.nowMs).toISOString(), sealed },
  };
}
