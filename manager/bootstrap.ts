// Decides how this manager gets its cluster: create one (--init, empty store only), join one
// (--join + manager token: the KEK is sealed for this manager's seal key), or serve the one in the
// store with the seal key it already has (waiting for `cluster unlock` when autolock sealed it).
// Refuses an empty store without --init.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../shared/errors/index.js';
import type { Logger } from '../shared/log/index.js';
import { serveUntilUnlocked } from './api/index.js';
import {
  ClusterCa,
  isUnlockKey,
  KekKeeper,
  newKeyEncryptionKey,
  newSealKey,
  openOwnKek,
  readKeyEncryptionKey,
  SealKeyFile,
  type ClusterSettings,
  type SealKey,
  type TlsCredentials,
} from './ca/index.js';
import type { ManagerConfig } from './config.js';
import { joinAsManager } from './join-client.js';
import { newId, type EtcdObjectStore } from './store/index.js';
import { writeFileAtomic } from '../shared/fs/atomic.js';

export interface Bootstrapped {
  ca: ClusterCa;
  /** This manager's KEK (follows rotations; autolock and rotation requests). */
  kek: KekKeeper;
  managerId: string;
  initialized: boolean;
}

export async function bootstrap(
  config: ManagerConfig,
  store: EtcdObjectStore,
  log: Logger,
): Promise<Bootstrapped> {
  const endpoints = config.etcd.join(',') || 'the embedded etcd';
  const existing = await store.getCluster();
  const file = new SealKeyFile(join(config.dataRoot, 'manager-seal-key'));
  let managerId = await readId(config.dataRoot);
  let sealKey: SealKey | undefined;
  let unlockKey: string | undefined;
  let initialized = false;
  if (config.init) {
    if (existing)
      throw new FlotillaError('CLUSTER_ALREADY_INITIALIZED', { clusterId: existing.id, endpoints });
    managerId = newId();
    sealKey = newSealKey();
    const c = await ClusterCa.initialize(
      store,
      newKeyEncryptionKey(),
      config.clusterName,
      config.addressPool ? { addressPool: config.addressPool } : {},
      { managerId, publicKeyPem: sealKey.publicKeyPem },
    );
    file.write(sealKey);
    await writeId(config.dataRoot, managerId);
    initialized = true;
    log.info({ clusterId: c.id, addressPool: c.addressPool }, 'cluster initialised');
  } else if (config.join && file.read().state !== 'absent' && managerId) {
    // The env file of the systemd unit may keep FLOTILLA_JOIN after the first start.
    log.warn({ join: config.join }, '--join ignored: this manager has already joined a cluster');
  } else if (config.join) {
    if (!config.token)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: '--join needs --token <manager token> (or --token-file, FLOTILLA_JOIN_TOKEN)',
      });
    sealKey = newSealKey();
    const res = await joinAsManager(config.join, config.token, sealKey.publicKeyPem);
    file.write(sealKey);
    managerId = res.nodeId;
    await writeId(config.dataRoot, managerId);
    log.info({ managerId, join: config.join }, 'joined cluster as manager');
    // The manager that let us in sealed the KEK for us in etcd; our cache learns it by the watch.
    await store.catchUpOnCluster();
  }
  const cluster = (await store.getCluster()) as ClusterSettings | undefined;
  if (!cluster) throw new FlotillaError('CLUSTER_NOT_INITIALIZED', { endpoints });
  if (!sealKey) {
    const onDisk = file.read();
    if (onDisk.state === 'plain') sealKey = onDisk.key;
    else if (onDisk.state === 'locked') {
      ({ sealKey, unlockKey } = await waitForUnlock(config, store, cluster, log, onDisk.open));
    }
  }
  managerId ??= newId();
  const { kek, kekId, migrated } = keyEncryptionKey(config, cluster, managerId, sealKey);
  const keeperKey = sealKey ?? newSealKey();
  const keeper = new KekKeeper({
    store,
    managerId,
    sealKey: keeperKey,
    file,
    log,
    kek,
    kekId,
    unlockKey,
  });
  const ca = new ClusterCa({ store, kek: keeper, log, kekFile: file.path });
  await ca.start();
  if (migrated) {
    // A manager from before sealed KEKs: seal the KEK for a new seal key, then drop the plain file.
    await ca.sealKekFor(managerId, keeperKey.publicKeyPem, kek);
    file.write(keeperKey);
    rmSync(config.kekFile, { force: true });
    log.info('key-encryption key now sealed for this manager; the plain key file is removed');
  }
  await keeper.start();
  await writeId(config.dataRoot, managerId);
  return { ca, kek: keeper, managerId, initialized };
}

/** The KEK sealed for this manager in the cluster object, or the plain key file of old clusters. */
function keyEncryptionKey(
  config: ManagerConfig,
  cluster: ClusterSettings,
  managerId: string,
  sealKey: SealKey | undefined,
): { kek: Buffer; kekId?: string; migrated: boolean } {
  const own = sealKey ? openOwnKek(cluster, managerId, sealKey) : undefined;
  if (own) return { kek: own.kek, kekId: own.id, migrated: false };
  const legacy = readKeyEncryptionKey(config.kekFile);
  if (legacy) return { kek: legacy, migrated: true };
  throw new FlotillaError('CA_KEY_UNAVAILABLE', {
    reason: sealKey
      ? `the cluster holds no key-encryption key for manager ${managerId} (removed from the cluster?)`
      : `${join(config.dataRoot, 'manager-seal-key')} does not exist`,
    file: join(config.dataRoot, 'manager-seal-key'),
  });
}

/** Autolock: serve the locked API with last start's certificate until the unlock key opens the file. */
async function waitForUnlock(
  config: ManagerConfig,
  store: EtcdObjectStore,
  cluster: ClusterSettings,
  log: Logger,
  open: (unlockKey: string) => SealKey,
): Promise<{ sealKey: SealKey; unlockKey: string }> {
  let result: { sealKey: SealKey; unlockKey: string } | undefined;
  // Revocations made while this manager is locked count for the unlock request too.
  let latest = cluster;
  const off = store.onCluster((c) => {
    if (c) latest = c as ClusterSettings;
  });
  try {
    await serveUntilUnlocked({
      log,
      listen: config.listenApi,
      tls: await storedCredentials(config),
      node: (id) => store.get('node', id),
      isRevoked: (id) => (latest.revokedNodeIds ?? []).includes(id),
      tryUnlock: (key) => {
        if (!isUnlockKey(key))
          throw new FlotillaError('UNLOCK_KEY_INVALID', { detail: ' (expected FLTKEY-1-...)' });
        result = { sealKey: open(key), unlockKey: key.trim() };
      },
    });
  } finally {
    off();
  }
  return result!;
}

async function storedCredentials(config: ManagerConfig): Promise<TlsCredentials> {
  const f = (n: string) => readFile(join(config.certDir, n), 'utf8');
  try {
    return {
      caCertPem: await f('ca.pem'),
      certPem: await f('manager.pem'),
      keyPem: await f('manager-key.pem'),
    };
  } catch (err) {
    throw new FlotillaError(
      'CA_KEY_UNAVAILABLE',
      {
        reason: `locked, and no certificate to serve the unlock with: ${(err as Error).message}`,
        file: config.certDir,
      },
      { cause: err },
    );
  }
}

/** Issues this manager's server certificate for its addresses and keeps a copy on disk. */
export async function managerCredentials(
  config: ManagerConfig,
  ca: ClusterCa,
  managerId: string,
): Promise<TlsCredentials> {
  const ips = [...new Set([config.advertiseAddr, '127.0.0.1'])].filter((a) => /^[\d.]+$|:/.test(a));
  const dns = ['localhost', ...(ips.includes(config.advertiseAddr) ? [] : [config.advertiseAddr])];
  const tls = await ca.issueKeyAndCertificate('manager', managerId, { ips, dns });
  await mkdir(config.certDir, { recursive: true, mode: 0o700 });
  // Renewals rewrite these while the manager runs: each file is replaced whole, never half written.
  await writeFileAtomic(join(config.certDir, 'manager-key.pem'), tls.keyPem, { mode: 0o600 });
  await writeFileAtomic(join(config.certDir, 'manager.pem'), tls.certPem, { mode: 0o644 });
  await writeFileAtomic(join(config.certDir, 'ca.pem'), tls.caCertPem, { mode: 0o644 });
  return tls;
}

async function readId(dataRoot: string): Promise<string | undefined> {
  const f = join(dataRoot, 'manager-id');
  return existsSync(f) ? (await readFile(f, 'utf8')).trim() : undefined;
}

async function writeId(dataRoot: string, id: string): Promise<void> {
  await writeFile(join(dataRoot, 'manager-id'), id + '\n');
}
