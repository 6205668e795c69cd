import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../shared/errors/index.js';
import { CredentialStore, defaultCredentialsFile } from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-creds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CredentialStore', () => {
  it('round-trips credentials and lists usernames only', async () => {
    const store = new CredentialStore(join(dir, 'cfg', 'auth.json'));
    expect(await store.get('127.0.0.1:5000')).toBeUndefined();
    await store.set('127.0.0.1:5000', { username: 'alice', password: 'p:ss wörd' });
    await store.set('index.docker.io', { username: 'bob', password: 'x' });
    expect(await store.get('127.0.0.1:5000')).toEqual({ username: 'alice', password: 'p:ss wörd' });
    expect(await store.get('docker.io')).toEqual({ username: 'bob', password: 'x' });
    expect(await store.list()).toEqual([
      { domain: '127.0.0.1:5000', username: 'alice' },
      { domain: 'docker.io', username: 'bob' },
    ]);
    expect(await store.remove('127.0.0.1:5000')).toBe(true);
    expect(await store.remove('127.0.0.1:5000')).toBe(false);
    expect(await new CredentialStore(store.file).get('127.0.0.1:5000')).toBeUndefined();
  });

  it('writes the file 0600 in a 0700 directory, leaving no temporary files', async () => {
    const store = new CredentialStore(join(dir, 'cfg', 'auth.json'));
    await store.set('reg.example', { username: 'u', password: 'p' });
    await store.set('reg.example', { username: 'u', password: 'p2' });
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'cfg'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'cfg'))).toEqual(['auth.json']);
  });

  it('reports a corrupt file with its path', async () => {
    const file = join(dir, 'auth.json');
    await writeFile(file, '{not json');
    const err = await new CredentialStore(file).get('x').catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('CREDENTIALS_STORE_FAILED');
    expect((err as FlotillaError).message).toContain(file);
  });

  it('lives in FLOTILLA_CONFIG when set', () => {
    expect(defaultCredentialsFile({ FLOTILLA_CONFIG: '/tmp/fc' })).toBe('/tmp/fc/auth.json');
    expect(defaultCredentialsFile({ HOME: '/home/u' })).toBe('/home/u/.flotilla/auth.json');
  });
});
