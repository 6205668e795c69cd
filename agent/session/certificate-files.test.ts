import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishRenewal, saveRenewedCertificate } from './certificate-files.js';

let dir: string;
const read = (f: string) => readFile(join(dir, f), 'utf8');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-certfiles-'));
  for (const f of ['key.pem', 'cert.pem', 'ca.pem']) await writeFile(join(dir, f), `old ${f}`);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renewed certificate files', () => {
  it('replaces key, certificate and trust bundle, the key readable by its owner only', async () => {
    await saveRenewedCertificate(dir, { keyPem: 'K', certPem: 'C', caCertPem: 'A' });
    expect([await read('key.pem'), await read('cert.pem'), await read('ca.pem')]).toEqual([
      'K',
      'C',
      'A',
    ]);
    expect((await stat(join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'renewed'))).toBe(false);
  });

  it('keeps the old pair when a crash came before the commit', async () => {
    await mkdir(join(dir, 'renewed.tmp'));
    await writeFile(join(dir, 'renewed.tmp', 'key.pem'), 'half');
    await finishRenewal(dir);
    expect(await read('key.pem')).toBe('old key.pem');
    expect(existsSync(join(dir, 'renewed.tmp'))).toBe(false);
  });

  it('finishes a committed renewal interrupted between the moves', async () => {
    // The key was moved already; certificate and bundle still wait in renewed/.
    await mkdir(join(dir, 'renewed'));
    await writeFile(join(dir, 'key.pem'), 'K');
    await writeFile(join(dir, 'renewed', 'cert.pem'), 'C');
    await writeFile(join(dir, 'renewed', 'ca.pem'), 'A');
    await finishRenewal(dir);
    expect([await read('key.pem'), await read('cert.pem'), await read('ca.pem')]).toEqual([
      'K',
      'C',
      'A',
    ]);
    expect(existsSync(join(dir, 'renewed'))).toBe(false);
  });
});
