// The node's identity on disk, under <dataRoot>/node/: key.pem (0600), cert.pem, ca.pem and
// node.json (node id, known managers). Written once by the join, reused on every later start.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../shared/fs/atomic.js';
import { finishRenewal } from './certificate-files.js';

export interface NodeIdentity {
  nodeId: string;
  certPem: string;
  keyPem: string;
  caCertPem: string;
  /** gRPC addresses (host:port) of managers this node may connect to. */
  managers: string[];
}

export function identityDir(dataRoot: string): string {
  return join(dataRoot, 'node');
}

function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  return writeFileAtomic(path, data, { mode });
}

export async function saveIdentity(dataRoot: string, id: NodeIdentity): Promise<void> {
  const dir = identityDir(dataRoot);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(join(dir, 'key.pem'), id.keyPem, 0o600);
  await writeAtomic(join(dir, 'cert.pem'), id.certPem, 0o644);
  await writeAtomic(join(dir, 'ca.pem'), id.caCertPem, 0o644);
  await writeAtomic(
    join(dir, 'node.json'),
    JSON.stringify({ nodeId: id.nodeId, managers: id.managers }, null, 2) + '\n',
    0o644,
  );
}

/** The stored identity, or undefined when this node has not joined a cluster yet. */
export async function loadIdentity(dataRoot: string): Promise<NodeIdentity | undefined> {
  const dir = identityDir(dataRoot);
  try {
    if (existsSync(dir)) await finishRenewal(dir);
    const [keyPem, certPem, caCertPem, meta] = await Promise.all(
      ['key.pem', 'cert.pem', 'ca.pem', 'node.json'].map((f) => readFile(join(dir, f), 'utf8')),
    );
    const { nodeId, managers } = JSON.parse(meta) as { nodeId: string; managers: string[] };
    return { nodeId, managers, keyPem, certPem, caCertPem };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Remembers the managers a session reported, so a restart can reach any of them. */
export async function saveManagers(dataRoot: string, id: NodeIdentity): Promise<void> {
  await writeAtomic(
    join(identityDir(dataRoot), 'node.json'),
    JSON.stringify({ nodeId: id.nodeId, managers: id.managers }, null, 2) + '\n',
    0o644,
  );
}
