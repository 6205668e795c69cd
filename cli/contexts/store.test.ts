import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBundle, readBundle, writeBundle } from './bundle.js';
import { ContextStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'flt-ctx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (f: string) => statSync(f).mode & 0o777;
const pem = { caCertPem: 'CA', certPem: 'CERT', keyPem: 'KEY' };

describe('ContextStore', () => {
  it('writes directories 0700 and every file 0600', () => {
    const store = new ContextStore(join(dir, 'cfg'));
    const c = store.save({ name: 'prod', clusterId: 'c1', managers: ['10.0.0.1:4243'] }, pem);
    store.use('prod');
    expect(mode(store.dir)).toBe(0o700);
    expect(mode(join(store.dir, 'contexts'))).toBe(0o700);
    expect(mode(join(store.dir, 'contexts', 'prod'))).toBe(0o700);
    for (const f of [c.tls.caFile, c.tls.certFile, c.tls.keyFile, join(store.dir, 'config.json')])
      expect(mode(f)).toBe(0o600);
    expect(mode(join(store.dir, 'contexts', 'prod.json'))).toBe(0o600);
  });

  it('refuses to remove the current context without force, and names that leave its directory', () => {
    const store = new ContextStore(join(dir, 'cfg2'));
    store.save({ name: 'a', clusterId: 'c1', managers: ['h:1'] }, pem);
    store.use('a');
    expect(() => store.remove('a')).toThrow(/in use/);
    store.remove('a', true);
    expect(store.current()).toBeUndefined();
    expect(store.list()).toEqual([]);
    expect(() => store.save({ name: '../x', clusterId: 'c', managers: [] }, pem)).toThrow(
      /context name "..\/x" is invalid/,
    );
  });

  it('learns managers an answer names, after the ones it has, never dropping one, still 0600', () => {
    const store = new ContextStore(join(dir, 'cfg3'));
    store.save({ name: 'ha', clusterId: 'c1', managers: ['10.0.0.2:4243', '10.0.0.1:4243'] }, pem);
    store.learnManagers('ha', ['10.0.0.1:4243', '10.0.0.3:4243']);
    expect(store.get('ha').managers).toEqual(['10.0.0.2:4243', '10.0.0.1:4243', '10.0.0.3:4243']);
    store.learnManagers('ha', ['10.0.0.3:4243']);
    expect(store.get('ha').managers).toHaveLength(3);
    expect(mode(join(store.dir, 'contexts', 'ha.json'))).toBe(0o600);
  });
});

describe('context bundles', () => {
  it('round-trips, is written 0600 and never over an existing file', () => {
    const file = join(dir, 'b.flotilla-context');
    const b = makeBundle({ name: 'n', clusterId: 'c', managers: ['h:1'], ...pem });
    writeBundle(b, file);
    expect(mode(file)).toBe(0o600);
    expect(readBundle(file)).toEqual(b);
    expect(() => writeBundle(b, file)).toThrow(/already exists/);
  });

  it('names the file and the reason when a bundle is not one', () => {
    const file = join(dir, 'bad');
    writeFileSync(file, JSON.stringify({ kind: 'flotilla-context', version: 1, name: 'x' }));
    expect(() => readBundle(file)).toThrow(
      `${file} is not a Flotilla context bundle: clusterId is missing`,
    );
    expect(() => readBundle(join(dir, 'absent'))).toThrow(/ENOENT/);
  });
});
