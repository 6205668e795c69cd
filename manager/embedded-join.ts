// `manager --join` with the embedded etcd: checks everything that can be checked locally, joins
// (POST /join adds this manager's etcd member as a learner and seals the etcd CA for it), starts
// the member, and promotes it to a voting member. Any failure after the join removes the member
// again, so a failed join leaves the cluster as it was. docs/decisions/0013-embedded-etcd-membership.md
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { FlotillaError, isFlotillaError } from '../shared/errors/index.js';
import type { Logger } from '../shared/log/index.js';
import { newSealKey, openSealed, SealKeyFile, type SealKey } from './ca/index.js';
import type { ManagerConfig } from './config.js';
import { EmbeddedEtcd, freePort, installEtcdCa, memberName, type EtcdCa } from './etcd/index.js';
import { joinAsManager } from './join-client.js';

export interface EmbeddedEtcdFiles {
  dataDir: string;
  pkiDir: string;
  logFile: string;
  /** { clientPort, peerPort, name }: the member keeps its ports and name across restarts. */
  memberFile: string;
}

export function embeddedEtcdFiles(dataRoot: string): EmbeddedEtcdFiles {
  return {
    dataDir: join(dataRoot, 'etcd'),
    pkiDir: join(dataRoot, 'etcd-pki'),
    logFile: join(dataRoot, 'etcd.log'),
    memberFile: join(dataRoot, 'etcd-ports.json'),
  };
}

/** Whether this data root has not joined yet: no seal key, no manager id, no etcd data. */
export function needsEmbeddedJoin(config: ManagerConfig): boolean {
  return (
    !!config.join &&
    !existsSync(join(config.dataRoot, 'manager-seal-key')) &&
    !existsSync(join(config.dataRoot, 'manager-id'))
  );
}

export interface EmbeddedJoin {
  etcd: EmbeddedEtcd;
  managerId: string;
  sealKey: SealKey;
}

export async function joinWithEmbeddedEtcd(
  config: ManagerConfig,
  log: Logger,
  startTimeoutMs = 60_000,
): Promise<EmbeddedJoin> {
  if (!config.token)
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: '--join needs --token <manager token> (or --token-file, FLOTILLA_JOIN_TOKEN)',
    });
  const files = embeddedEtcdFiles(config.dataRoot);
  // Before the join: whatever would make the member fail to start is refused here.
  if (existsSync(files.dataDir) && readdirSync(files.dataDir).length > 0)
    throw new FlotillaError('ETCD_JOIN_REFUSED', {
      reason: `${files.dataDir} already holds etcd data`,
      hint: 'start without --join to serve that data, or remove the directory to join afresh',
    });
  const bin = process.env.FLOTILLA_ETCD_BIN ?? '/usr/bin/etcd';
  if (!existsSync(bin))
    throw new FlotillaError('ETCD_START_FAILED', { reason: `${bin} not found`, logFile: bin });
  const clientPort = await freePort();
  const peerPort = await freePort();
  const host = config.advertiseAddr;
  const peerUrl = `https://${host.includes(':') ? `[${host}]` : host}:${peerPort}`;

  const sealKey = newSealKey();
  const res = await joinRetrying(config, sealKey, peerUrl, startTimeoutMs, log);
  const answer = res.etcd!;
  const name = memberName(res.nodeId);
  const etcd = new EmbeddedEtcd({
    dataDir: files.dataDir,
    pkiDir: files.pkiDir,
    logFile: files.logFile,
    clientPort,
    peerPort,
    name,
    advertiseHost: host,
    initialCluster: answer.initialCluster,
    startTimeoutMs,
    log,
  });
  try {
    const ca = JSON.parse(openSealed(sealKey.privateKeyPem, answer.caSealed).toString()) as EtcdCa;
    await installEtcdCa(files.pkiDir, ca);
    await etcd.start();
    await promote(etcd, answer.clientUrls, answer.memberId, startTimeoutMs, log);
  } catch (err) {
    log.error({ err, memberId: answer.memberId }, 'joining the etcd cluster failed; undoing');
    await removeMember(etcd, answer.clientUrls, answer.memberId).catch((e: unknown) =>
      log.warn({ err: e }, 'could not remove the etcd member; remove it with `node rm`'),
    );
    await etcd.stop();
    rmSync(files.dataDir, { recursive: true, force: true });
    throw err;
  }
  // Committed: the identity this data root now has.
  new SealKeyFile(join(config.dataRoot, 'manager-seal-key')).write(sealKey);
  await writeFile(join(config.dataRoot, 'manager-id'), res.nodeId + '\n');
  await writeFile(files.memberFile, JSON.stringify({ clientPort, peerPort, name }));
  log.info({ managerId: res.nodeId, memberId: answer.memberId }, 'joined the etcd cluster');
  return { etcd, managerId: res.nodeId, sealKey };
}

/**
 * POST /join, again while etcd refuses a member for now (a member joined or restarted less than
 * 5 s ago): nothing is written before etcd takes the member, so a retry spends nothing.
 */
async function joinRetrying(
  config: ManagerConfig,
  sealKey: SealKey,
  peerUrl: string,
  timeoutMs: number,
  log: Logger,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await joinAsManager(config.join, config.token, sealKey.publicKeyPem, peerUrl);
    } catch (err) {
      if (!(isFlotillaError(err) && err.code === 'ETCD_CLUSTER_UNHEALTHY') || Date.now() > deadline)
        throw err;
      log.info({ reason: err.message }, 'etcd cannot take a member yet; joining again shortly');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** A client of the members already running, with this member's fresh client certificate. */
function othersClient(etcd: EmbeddedEtcd, clientUrls: string[]): Etcd3 {
  const t = etcd.clientTls;
  return new Etcd3({
    hosts: clientUrls,
    dialTimeout: 5000,
    credentials: {
      rootCertificate: Buffer.from(t.caCertPem),
      certChain: Buffer.from(t.certPem),
      privateKey: Buffer.from(t.keyPem),
    },
  });
}

/** etcd promotes a learner only once its log has caught up with the leader's: retried until then. */
async function promote(
  etcd: EmbeddedEtcd,
  clientUrls: string[],
  memberId: string,
  timeoutMs: number,
  log: Logger,
): Promise<void> {
  const client = othersClient(etcd, clientUrls);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.cluster.memberPromote({ ID: memberId });
        log.info({ memberId }, 'etcd member promoted to voter');
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new FlotillaError(
            'ETCD_START_FAILED',
            { reason: `not promoted to a voting member: ${(err as Error).message}`, logFile: '-' },
            { cause: err },
          );
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    client.close();
  }
}

async function removeMember(etcd: EmbeddedEtcd, clientUrls: string[], id: string): Promise<void> {
  const client = othersClient(etcd, clientUrls);
  try {
    await client.cluster.memberRemove({ ID: id });
  } finally {
    client.close();
  }
}
