import { describe, expect, it } from 'vitest';
import { serviceFixture } from '../store/fixtures.js';
import { InMemoryObjectStore } from '../store/memory.js';
import { rollbackService, scaleService } from './actions.js';

async function storeWith(...services: ReturnType<typeof serviceFixture>[]) {
  const store = new InMemoryObjectStore();
  await store.start();
  await store.seed('service', ...services);
  return store;
}

describe('operator actions on a service', () => {
  it('scale sets the replicas under a new version and keeps the old spec for rollback', async () => {
    const s = serviceFixture('web');
    const store = await storeWith(s);
    const next = await scaleService(store, s.id, 5, 1);
    expect(next.spec.mode).toEqual({ replicated: { replicas: 5 } });
    expect(next.version).toBe(2);
    expect(store.get('service', s.id)?.previousSpec).toEqual(s.spec);
    await store.stop();
  });

  it('refuses a version the caller did not see, an unknown service and a global one', async () => {
    const s = serviceFixture('web');
    const g = serviceFixture('agent', {
      spec: { ...serviceFixture('x').spec, name: 'agent', mode: { global: {} } },
    });
    const store = await storeWith(s, g);
    await expect(scaleService(store, s.id, 2, 7)).rejects.toMatchObject({
      code: 'SERVICE_VERSION_MISMATCH',
    });
    await expect(rollbackService(store, s.id, 7)).rejects.toMatchObject({
      code: 'SERVICE_VERSION_MISMATCH',
    });
    await expect(scaleService(store, 'nope', 2)).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
    });
    await expect(scaleService(store, g.id, 2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(store.get('service', s.id)?.version).toBe(1);
    await store.stop();
  });

  it('rollback makes the previous spec current and marks rollback_started', async () => {
    const s = serviceFixture('web');
    const store = await storeWith(s);
    await expect(rollbackService(store, s.id)).rejects.toMatchObject({
      code: 'SERVICE_NO_PREVIOUS_SPEC',
    });
    await scaleService(store, s.id, 4);
    const back = await rollbackService(store, s.id, 2);
    expect(back.spec.mode).toEqual(s.spec.mode);
    expect(back.previousSpec?.mode).toEqual({ replicated: { replicas: 4 } });
    expect(back.updateStatus).toMatchObject({ state: 'rollback_started', serviceVersion: 3 });
    await store.stop();
  });
});
