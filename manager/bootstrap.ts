// Decides how this manager gets its cluster: create one (--init, empty store only), join one
// (--join + manager token: receives the CA key-encryption key), or serve the one in the store
// with the key file it already has. Refuses an empty store without --init.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../shared/errors/index.js';
import type { Logger } from '../shared/log/index.js';
import {
  ClusterCa,
  newKeyEncryptionKey,
  readKeyEncryptionKey,
  writeKeyEncryptionKey,
  type TlsCredentials,
} from './ca/index.js';
import type { ManagerConfig } from './config.js';
import { joinAsManager } from './join-client.js';
import { newId, type EtcdObjectStore } from './store/index.js';

export interface Bootstrapped {
  ca: ClusterCa;
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
  let kek = readKeyEncryptionKey(config.kekFile);
  let managerId = await readId(config.dataRoot);
  let initialized = false;
  if (config.init) {
    if (existing)
      throw new FlotillaError('CLUSTER_ALREADY_INITIALIZED', { clusterId: existing.id, endpoints });
    kek = newKeyEncryptionKey();
    const c = await ClusterCa.initialize(
      store,
      kek,
      config.clusterName,
      config.addressPool ? { addressPool: config.addressPool } : {},
    );
    writeKeyEncryptionKey(config.kekFile, kek);
    initialized = true;
    log.info({ clusterId: c.id, addressPool: c.addressPool }, 'cluster initialised');
  } else if (config.join) {
    if (!config.token)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: '--join needs --token <manager token>',
      });
    const res = await joinAsManager(config.join, config.token);
    if (!res.keyEncryptionKey)
      throw new FlotillaError('JOIN_TOKEN_REJECTED', { reason: 'no key material in the answer' });
    kek = Buffer.from(res.keyEncryptionKey, 'base64');
    writeKeyEncryptionKey(config.kekFile, kek);
    managerId = res.nodeId;
    await writeId(config.dataRoot, managerId);
    log.info({ managerId, join: config.join }, 'joined cluster as manager');
  }
  if (!(await store.getCluster()))
    throw new FlotillaError('CLUSTER_NOT_INITIALIZED', { endpoints });
  if (!kek)
    throw new FlotillaError('CA_KEY_UNAVAILABLE', {
      reason: `${config.kekFile} does not exist`,
      file: config.kekFile,
    });
  const ca = new ClusterCa({ store, kek, log, kekFile: config.kekFile });
  await ca.start();
  if (!managerId) {
    managerId = newId();
    await writeId(config.dataRoot, managerId);
  }
  return { ca, managerId, initialized };
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
  await writeFile(join(config.certDir, 'ca.pem'), tls.caCertPem);
  await writeFile(join(config.certDir, 'manager.pem'), tls.certPem);
  await writeFile(join(config.certDir, 'manager-key.pem'), tls.keyPem, { mode: 0o600 });
  return tls;
}

async function readId(dataRoot: string): Promise<string | undefined> {
  const f = join(dataRoot, 'manager-id');
  return existsSync(f) ? (await readFile(f, 'utf8')).trim() : undefined;
}

async function writeId(dataRoot: string, id: string): Promise<void> {
  await writeFile(join(dataRoot, 'manager-id'), id + '\n');
}
