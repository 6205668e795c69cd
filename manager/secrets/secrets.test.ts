import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../store/index.js';
import { serviceFixture } from '../store/fixtures.js';
import { openSecretData, sealSecretData } from './cipher.js';
import { SecretsKeyring } from './data-key.js';
import { newConfig, newSecret, secretView } from './objects.js';
import { filePayload } from './payload.js';
import { resolveFileReferences, servicesUsing } from './references.js';
import { pickStackFiles, prepareStackFiles, pruneStackFiles } from './stack-files.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function cluster(kek = randomBytes(32)) {
  const store = new InMemoryObjectStore();
  await store.putCluster({ id: 'c1' });
  return { store, kek, keys: new SecretsKeyring({ store, kek: { current: () => kek } }) };
}

describe('secret sealing', () => {
  it('opens only with the same key and the same secret id', () => {
    const key = randomBytes(32);
    const sealed = sealSecretData(key, 'id1', Buffer.from('hunter2'));
    expect(Buffer.from(sealed, 'base64').includes(Buffer.from('hunter2'))).toBe(false);
    expect(openSecretData(key, 'id1', sealed).toString()).toBe('hunter2');
    expect(() => openSecretData(key, 'id2', sealed)).toThrow();
    expect(() => openSecretData(randomBytes(32), 'id1', sealed)).toThrow();
  });

  it('keeps the data key in the cluster object only sealed under the KEK', async () => {
    const { store, keys, kek } = await cluster();
    const s = await newSecret(keys, { name: 'db_pw', data: b64('hunter2') });
    const c = (await store.getCluster()) as unknown as { secretsKey: { id: string } };
    expect(c.secretsKey.id).toBe(s.keyId);
    expect(JSON.stringify(s)).not.toContain('hunter2');
    expect(JSON.stringify(s)).not.toContain(b64('hunter2'));
    await store.update((tx) => tx.create('secret', s));
    expect(filePayload(store, keys, 'secret', s.id)?.toString()).toBe('hunter2');
    // Another manager with the same KEK opens it; one with another KEK cannot.
    const other = new SecretsKeyring({ store, kek: { current: () => kek } });
    expect(filePayload(store, other, 'secret', s.id)?.toString()).toBe('hunter2');
    const wrong = new SecretsKeyring({ store, kek: { current: () => randomBytes(32) } });
    expect(() => filePayload(store, wrong, 'secret', s.id)).toThrow(/secrets data key/);
    expect(secretView(s)).not.toHaveProperty('sealed');
  });

  it('refuses bad names, empty data and data over 500 KiB', async () => {
    const { keys } = await cluster();
    await expect(newSecret(keys, { name: '-x', data: b64('a') })).rejects.toThrow(/name/);
    await expect(newSecret(keys, { name: 'a', data: '' })).rejects.toThrow(/empty/);
    const big = Buffer.alloc(500 * 1024 + 1).toString('base64');
    await expect(newSecret(keys, { name: 'a', data: big })).rejects.toThrow(/500 KiB/);
    expect(() => newConfig({ name: 'a'.repeat(65), data: b64('x') })).toThrow(/64/);
  });
});

describe('references', () => {
  it('fills in ids and defaults, and refuses an unknown name', async () => {
    const { store, keys } = await cluster();
    const s = await newSecret(keys, { name: 'db_pw', data: b64('x') });
    const c = newConfig({ name: 'app_conf', data: b64('y') });
    await store.update((tx) => (tx.create('secret', s), tx.create('config', c)));
    const svc = serviceFixture('web');
    svc.spec.taskTemplate.containerSpec.secrets = [
      { id: '', name: 'db_pw', target: '', uid: '', gid: '', mode: 0o444 },
    ];
    svc.spec.taskTemplate.containerSpec.configs = [
      { id: '', name: 'app_conf', target: '', uid: '', gid: '', mode: 0o440 },
    ];
    const spec = await store.update((tx) => resolveFileReferences(tx, svc.spec));
    expect(spec.taskTemplate.containerSpec.secrets).toEqual([
      { id: s.id, name: 'db_pw', target: 'db_pw', uid: '0', gid: '0', mode: 0o444 },
    ]);
    expect(spec.taskTemplate.containerSpec.configs![0].target).toBe('/app_conf');
    await store.update((tx) => tx.create('service', { ...svc, spec }));
    expect(servicesUsing(store, 'secret', s.id)).toEqual(['web']);
    svc.spec.taskTemplate.containerSpec.secrets![0].name = 'nope';
    await expect(store.update((tx) => resolveFileReferences(tx, svc.spec))).rejects.toThrow(
      'No such secret: nope',
    );
  });
});

describe('stack versions', () => {
  it('reuses unchanged content, makes a new version for changed content, prunes unused ones', async () => {
    const { store, keys } = await cluster();
    const labels = { 'com.docker.stack.namespace': 'app' };
    const deploy = async (data: string) => {
      const inputs = [{ name: 'app_pw', labels, data: b64(data) }];
      const prepared = await prepareStackFiles(keys, 'secret', 'app', inputs);
      return store.update((tx) => pickStackFiles(tx, store, keys, 'secret', prepared, inputs));
    };
    expect((await deploy('one')).changes[0]).toMatchObject({ state: 'created', object: 'app_pw' });
    expect((await deploy('one')).changes[0]).toMatchObject({
      state: 'unchanged',
      object: 'app_pw',
    });
    const v2 = await deploy('two');
    expect(v2.changes[0]).toMatchObject({ state: 'new-version', object: 'app_pw-v2' });
    expect(
      store
        .list('secret')
        .map((s) => s.spec.name)
        .sort(),
    ).toEqual(['app_pw', 'app_pw-v2']);
    const removed = await store.update((tx) =>
      pruneStackFiles(tx, store, 'secret', 'app', [], new Set(['app_pw-v2'])),
    );
    expect(removed).toEqual(['app_pw']);
  });
});
