// Replacing the node's key and certificate after a renewal as one step: both files (and the trust
// bundle) are written into <node>/renewed.tmp, which is renamed to <node>/renewed (the commit
// point), then moved over the live files. A crash before the rename leaves the old pair; after it,
// the next load finishes the move. The key is never readable by other users (0600).
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/fs/atomic.js';

const files = [
  { name: 'key.pem', mode: 0o600 },
  { name: 'cert.pem', mode: 0o644 },
  { name: 'ca.pem', mode: 0o644 },
] as const;

export async function saveRenewedCertificate(
  dir: string,
  pem: { keyPem: string; certPem: string; caCertPem: string },
): Promise<void> {
  const staging = join(dir, 'renewed.tmp');
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  const data = { 'key.pem': pem.keyPem, 'cert.pem': pem.certPem, 'ca.pem': pem.caCertPem };
  for (const f of files) {
    await writeFile(join(staging, f.name), data[f.name], { mode: f.mode, flush: true });
    await chmod(join(staging, f.name), f.mode);
  }
  await rm(join(dir, 'renewed'), { recursive: true, force: true });
  await rename(staging, join(dir, 'renewed'));
  await finishRenewal(dir);
}

/** Only the trust bundle changed (a CA rotation ended): replaced whole. */
export async function saveTrustBundle(dir: string, caCertPem: string): Promise<void> {
  const path = join(dir, 'ca.pem');
  await writeFileAtomic(path, caCertPem, { mode: 0o644 });
}

/** Moves a committed renewal over the live files; drops one that was never committed. */
export async function finishRenewal(dir: string): Promise<void> {
  await rm(join(dir, 'renewed.tmp'), { recursive: true, force: true });
  const committed = join(dir, 'renewed');
  if (!existsSync(committed)) return;
  const present = new Set(await readdir(committed));
  for (const f of files)
    if (present.has(f.name)) await rename(join(committed, f.name), join(dir, f.name));
  await rm(committed, { recursive: true, force: true });
}
