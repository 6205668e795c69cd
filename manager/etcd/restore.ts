// `flotilla cluster restore FILE`: turns an etcd snapshot (`cluster backup`) into this manager's
// embedded etcd data, as the only member of a new etcd cluster (etcdctl snapshot restore). Runs
// with the manager stopped; the data it replaces is kept beside it, never deleted.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';

export interface RestoreOptions {
  file: string;
  dataRoot: string;
  /** The address the member advertises to peers. @default 127.0.0.1 (rewritten at the first join) */
  advertiseAddr?: string;
  /** @default /usr/bin/etcdctl (FLOTILLA_ETCDCTL_BIN overrides) */
  etcdctl?: string;
  clock?: { now(): number };
}

/** Restores FILE into <dataRoot>/etcd; resolves with where the replaced data now is, if any. */
export async function restoreEtcdSnapshot(o: RestoreOptions): Promise<{ replaced?: string }> {
  if (!existsSync(o.file))
    throw new FlotillaError('INVALID_ARGUMENT', { detail: `backup file ${o.file} not found` });
  const dataDir = join(o.dataRoot, 'etcd');
  refuseWhileRunning(join(o.dataRoot, 'etcd.pid'), dataDir);
  const member = readMember(join(o.dataRoot, 'etcd-ports.json'));
  const host = o.advertiseAddr ?? '127.0.0.1';
  const peerUrl = `https://${host.includes(':') ? `[${host}]` : host}:${member.peerPort}`;
  const target = `${dataDir}.restoring`;
  rmSync(target, { recursive: true, force: true });
  await run(o.etcdctl ?? process.env.FLOTILLA_ETCDCTL_BIN ?? '/usr/bin/etcdctl', [
    'snapshot',
    'restore',
    o.file,
    `--data-dir=${target}`,
    `--name=${member.name}`,
    `--initial-cluster=${member.name}=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
  ]);
  let replaced: string | undefined;
  if (existsSync(dataDir)) {
    replaced = `${dataDir}.replaced-${(o.clock ?? Date).now()}`;
    renameSync(dataDir, replaced);
  }
  renameSync(target, dataDir);
  return replaced ? { replaced } : {};
}

function readMember(file: string): { name: string; peerPort: number } {
  if (!existsSync(file))
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `${file} not found: restore into the data root of a manager that ran the embedded etcd`,
    });
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { peerPort: number; name?: string };
  return { name: saved.name ?? 'flotilla', peerPort: saved.peerPort };
}

/** The embedded etcd of this data root must be stopped: etcd would not see the new data. */
function refuseWhileRunning(pidFile: string, dataDir: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  let cmd: string;
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running
  }
  if (cmd.includes(`--data-dir=${dataDir}`))
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `the manager of ${dataDir} is running (etcd pid ${pid}): stop it before a restore`,
    });
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ETCDCTL_API: '3' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) =>
      reject(new FlotillaError('INTERNAL', { detail: `${bin}: ${err.message}` }, { cause: err })),
    );
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new FlotillaError('INVALID_ARGUMENT', {
              detail: `etcdctl snapshot restore failed: ${output.trim().split('\n').pop()}`,
            }),
          ),
    );
  });
}
