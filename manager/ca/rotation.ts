// `cluster ca --rotate`: a new root replaces the old one without any node losing its session.
//
//   (no rotation) --begin--> rotating: ca = new root (signs everything), old root still trusted,
//        ^                   leaves sent with the new root cross-signed by the old one
//        |                        |
//        +----complete------------+  every node reports a certificate of the new root's key and
//                                    every live manager serves one: the old root leaves the bundle
//
// The state lives in the cluster object, so another manager carries on after a failover. Nodes are
// told to renew by the dispatcher; managers renew themselves (manager/ca/renewal.ts).
import { FlotillaError } from '../../shared/errors/index.js';
import type { Node } from '../../shared/model/index.js';
import { publicKeyDigest } from '../../shared/tls/index.js';
import type { StoreCore } from '../store/index.js';
import type { ClusterSettings } from './cluster.js';
import { crossSign } from './cross-sign.js';
import { decrypt, encrypt } from './key-encryption.js';
import {
  certificateDigest,
  createRootCertificate,
  generateKeyPair,
  importPrivateKey,
} from './pki.js';

/** Where a rotation stands, for `cluster ca` and its progress bars. */
export interface RotationProgress {
  rotating: boolean;
  startedAt?: string;
  /** sha256 of the signing root's DER, hex (join tokens carry it). */
  digest: string;
  nodes: { total: number; renewed: number; trustUpdated: number };
  managers: { total: number; renewed: number };
}

/**
 * Creates the new root and its cross-signed certificate and makes the new root the signing one.
 * `rekey` returns the join-token state for the new cluster object (tokens change with the CA).
 * @throws CA_ROTATION_IN_PROGRESS while a rotation runs.
 */
export async function beginRotation(
  store: StoreCore,
  kek: Buffer,
  rekey: (c: ClusterSettings) => ClusterSettings['joinTokens'],
): Promise<ClusterSettings> {
  const current = (await store.getCluster()) as ClusterSettings | undefined;
  if (!current) throw new FlotillaError('CLUSTER_NOT_INITIALIZED', { endpoints: 'the store' });
  if (current.ca.rotation)
    throw new FlotillaError('CA_ROTATION_IN_PROGRESS', {
      startedAt: current.ca.rotation.startedAt,
    });
  const oldKey = await importPrivateKey(decrypt(kek, current.ca.encryptedKeyPem));
  const { keys, keyPem } = await generateKeyPair();
  const certPem = await createRootCertificate('flotilla-root-ca', current.id, keys);
  const crossSignedPem = await crossSign(certPem, current.ca.certPem, oldKey);
  const next = await store.updateCluster((cur) => {
    const c = cur as ClusterSettings;
    // The CA we read is still the one in the store: a concurrent rotation fails here.
    if (c.ca.digest !== current.ca.digest || c.ca.rotation)
      throw new FlotillaError('CA_ROTATION_IN_PROGRESS', {
        startedAt: c.ca.rotation?.startedAt ?? 'just now',
      });
    const rotated: ClusterSettings = {
      ...c,
      ca: {
        certPem,
        encryptedKeyPem: encrypt(kek, keyPem),
        digest: certificateDigest(certPem),
        rotation: {
          previousCertPem: c.ca.certPem,
          crossSignedPem,
          startedAt: new Date().toISOString(),
          renewedManagerIds: [],
        },
      },
    };
    return { ...rotated, joinTokens: rekey(rotated) };
  });
  return next as ClusterSettings;
}

/** Records that a manager serves with a certificate of the signing root (no-op when none runs). */
export async function recordManagerRenewed(
  store: StoreCore,
  managerId: string,
  rootDigest: string,
): Promise<void> {
  const c = (await store.getCluster()) as ClusterSettings | undefined;
  const r = c?.ca.rotation;
  if (!r || c.ca.digest !== rootDigest || r.renewedManagerIds.includes(managerId)) return;
  await store.updateCluster((cur) => {
    const x = cur as ClusterSettings;
    const rot = x.ca.rotation;
    if (!rot || x.ca.digest !== rootDigest || rot.renewedManagerIds.includes(managerId)) return x;
    return {
      ...x,
      ca: {
        ...x.ca,
        rotation: { ...rot, renewedManagerIds: [...rot.renewedManagerIds, managerId] },
      },
    };
  });
}

/** Counts nodes and managers that renewed under the signing root, and nodes trusting only it. */
export function rotationProgress(
  c: ClusterSettings,
  nodes: Node[],
  liveManagerIds: string[],
): RotationProgress {
  const rootKey = publicKeyDigest(c.ca.certPem);
  const renewed = nodes.filter((n) => n.description.tlsInfo?.issuerKeyDigest === rootKey);
  const trustUpdated = renewed.filter((n) => {
    const t = n.description.tlsInfo?.trustDigests ?? [];
    return t.length === 1 && t[0] === c.ca.digest;
  });
  const r = c.ca.rotation;
  const managersRenewed = r
    ? liveManagerIds.filter((id) => r.renewedManagerIds.includes(id)).length
    : liveManagerIds.length;
  return {
    rotating: Boolean(r),
    ...(r ? { startedAt: r.startedAt } : {}),
    digest: c.ca.digest,
    nodes: { total: nodes.length, renewed: renewed.length, trustUpdated: trustUpdated.length },
    managers: { total: liveManagerIds.length, renewed: managersRenewed },
  };
}

/** True when the old root can leave the trust bundle: everyone holds a new certificate. */
export function rotationComplete(p: RotationProgress): boolean {
  return p.rotating && p.nodes.renewed === p.nodes.total && p.managers.renewed === p.managers.total;
}

/** Drops the old root (the rotation begun at `startedAt`; a newer one is left alone). */
export async function completeRotation(store: StoreCore, startedAt: string): Promise<boolean> {
  let done = false;
  await store.updateCluster((cur) => {
    const c = cur as ClusterSettings;
    if (c.ca.rotation?.startedAt !== startedAt) return c;
    done = true;
    const { rotation: _, ...ca } = c.ca;
    return { ...c, ca };
  });
  return done;
}
