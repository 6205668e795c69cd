import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import { filePayload, newSecret, SecretsKeyring } from '../secrets/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { ClusterCa } from './cluster-ca.js';
import type { ClusterSettings } from './cluster.js';
import { KekKeeper, openOwnKek } from './kek-keeper.js';
import { newKeyEncryptionKey } from './key-encryption.js';
import { SealKeyFile } from './seal-key-file.js';
import { newSealKey, newUnlockKey, openSealed, sealFor } from './seal.js';

const dir = mkdtempSync(join(tmpdir(), 'flt-kek-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A manager as bootstrap.ts builds it: seal key, keeper, CA. */
async function startManager(store: InMemoryObjectStore, managerId: string, sealKey = newSealKey()) {
  const c = (await store.getCluster()) as ClusterSettings;
  const own = openOwnKek(c, managerId, sealKey)!;
  const file = new SealKeyFile(join(dir, `${managerId}-seal-key`));
  file.write(sealKey);
  const keeper = new KekKeeper({
    store,
    managerId,
    sealKey,
    file,
    log: silentLogger(),
    kek: own.kek,
    kekId: own.id,
  });
  const ca = new ClusterCa({ store, kek: keeper, log: silentLogger() });
  await ca.start();
  await keeper.start();
  return { keeper, ca, file, sealKey };
}

async function twoManagers() {
  const store = new InMemoryObjectStore();
  const a = newSealKey();
  await ClusterCa.initialize(
    store,
    newKeyEncryptionKey(),
    't',
    {},
    {
      managerId: 'ma',
      publicKeyPem: a.publicKeyPem,
    },
  );
  const ma = await startManager(store, 'ma', a);
  const b = newSealKey();
  await ma.ca.sealKekFor('mb', b.publicKeyPem);
  const mb = await startManager(store, 'mb', b);
  return { store, ma, mb };
}

describe('sealing', () => {
  it('opens only with the seal key it was made for', () => {
    const k = newSealKey();
    const secret = newKeyEncryptionKey();
    const sealed = sealFor(k.publicKeyPem, secret);
    expect(openSealed(k.privateKeyPem, sealed).equals(secret)).toBe(true);
    expect(() => openSealed(newSealKey().privateKeyPem, sealed)).toThrow();
  });
});

describe('KekKeeper', () => {
  it('seals the secrets data key again on rotation: secrets open on every manager after it', async () => {
    const { store, ma, mb } = await twoManagers();
    const ka = new SecretsKeyring({ store, kek: ma.keeper });
    const kb = new SecretsKeyring({ store, kek: mb.keeper });
    const s = await newSecret(ka, { name: 'pw', data: Buffer.from('hunter2').toString('base64') });
    await store.update((tx) => tx.create('secret', s));
    const before = ((await store.getCluster()) as ClusterSettings).secretsKey!.sealed;
    await ma.keeper.rotate(ma.ca);
    expect(((await store.getCluster()) as ClusterSettings).secretsKey!.sealed).not.toBe(before);
    expect(filePayload(store, ka, 'secret', s.id)?.toString()).toBe('hunter2');
    expect(filePayload(store, kb, 'secret', s.id)?.toString()).toBe('hunter2');
  });

  it('rotates the KEK in one write; the other manager follows and the CA key opens with it', async () => {
    const { store, ma, mb } = await twoManagers();
    const worker = ma.ca.joinToken('worker');
    const old = ma.keeper.current();
    await ma.keeper.rotate(ma.ca);
    expect(ma.keeper.current().equals(old)).toBe(false);
    expect(mb.keeper.current().equals(ma.keeper.current())).toBe(true);
    // A restarted manager opens the CA key with its entry; join tokens are unchanged.
    const again = await startManager(store, 'mb', mb.sealKey);
    expect(again.ca.joinToken('worker')).toBe(worker);
    expect(again.ca.verifyJoinToken(worker)).toBe('worker');
    // The old KEK opens nothing any more.
    const c = (await store.getCluster()) as ClusterSettings;
    await expect(new ClusterCa({ store, kek: old, log: silentLogger() }).start()).rejects.toThrow();
    expect(Object.keys(c.kek!.sealed).sort()).toEqual(['ma', 'mb']);
  });

  it('drops a revoked manager from the sealed entries: it gets no later KEK', async () => {
    const { store, ma } = await twoManagers();
    await ma.ca.revoke('mb');
    await ma.keeper.rotate(ma.ca);
    const c = (await store.getCluster()) as ClusterSettings;
    expect(Object.keys(c.kek!.sealed)).toEqual(['ma']);
  });

  it('keeps the seal key file sealed under the unlock key while autolock is on', async () => {
    const { ma, mb } = await twoManagers();
    const key = (await ma.keeper.setAutolock(true))!;
    for (const m of [ma, mb]) {
      const onDisk = m.file.read();
      expect(onDisk.state).toBe('locked');
      expect(readFileSync(m.file.path, 'utf8')).not.toContain('PRIVATE KEY');
      expect(statSync(m.file.path).mode & 0o777).toBe(0o600);
      if (onDisk.state === 'locked') {
        expect(onDisk.open(key).privateKeyPem).toBe(m.sealKey.privateKeyPem);
        expect(() => onDisk.open(newUnlockKey())).toThrow(/unlock key is not correct/);
      }
    }
    expect(await ma.keeper.setAutolock(true)).toBe(key);
    // Rotating the KEK keeps the unlock key readable (sealed again in the same write).
    await ma.keeper.rotate(ma.ca);
    expect(mb.keeper.unlockKey(mb.ca.cluster)).toBe(key);
    const rotated = await mb.keeper.rotateUnlockKey();
    const onDisk = ma.file.read();
    expect(onDisk.state === 'locked' && onDisk.open(rotated).privateKeyPem).toBe(
      ma.sealKey.privateKeyPem,
    );
    await ma.keeper.setAutolock(false);
    expect(ma.file.read().state).toBe('plain');
    expect(() => ma.keeper.unlockKey(ma.ca.cluster)).toThrow(/autolock is off/);
  });
});
