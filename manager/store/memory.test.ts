import { describe, expect, it } from 'vitest';
import { serviceFixture, taskFixture } from './fixtures.js';
import { storeContract } from './store.contract.js';
import { InMemoryObjectStore } from './memory.js';

storeContract('in memory', async () => {
  const store = new InMemoryObjectStore();
  await store.start();
  return {
    store,
    rawPut: async (key: string, value: string) => void (await store.rawPut(key, value)),
    cleanup: () => store.stop(),
  };
});

// The test hooks the reconciler tests use, beyond the contract.
describe('InMemoryObjectStore test hooks', () => {
  it('seed() creates or replaces objects, in transactions etcd would accept', async () => {
    const store = new InMemoryObjectStore();
    const s = serviceFixture('web');
    const tasks = Array.from({ length: 300 }, (_, i) => taskFixture(s, i + 1));
    await store.seed('service', s);
    await store.seed('task', ...tasks);
    expect(store.list('task')).toHaveLength(300);
    await store.seed('service', { ...s, version: s.version + 1 });
    expect(store.get('service', s.id)?.version).toBe(s.version + 1);
    expect(store.serviceByName('web')?.id).toBe(s.id);
  });

  it('objectWrites counts documents written, not claims', async () => {
    const store = new InMemoryObjectStore();
    await store.seed('service', serviceFixture('web'));
    // One service document; its name claim is a second key in the same transaction.
    expect(store.objectWrites).toBe(1);
    expect(store.stats.ops).toBe(2);
  });
});
