import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import {
  ManualClock,
  makeService,
  makeSpec,
  makeTask,
  tasksOf,
} from '../../test/harness/cluster/index.js';
import { Updater } from './updater.js';
import { InMemoryObjectStore } from '../store/index.js';

describe('Updater', () => {
  it('replaces old-version tasks one at a time, waiting for each replacement to run', async () => {
    const store = new InMemoryObjectStore();
    let n = 0;
    const updater = new Updater({
      store,
      clock: new ManualClock(),
      log: silentLogger(),
      newId: () => `new${++n}`,
    });
    const v1 = makeService('web', makeSpec('web', { mode: { replicated: { replicas: 2 } } }));
    const running = { state: 'running' as const, timestamp: '2026-01-01T00:00:00Z', message: '' };
    await store.seed(
      'task',
      makeTask('a', v1, { slot: 1, status: running }),
      makeTask('b', v1, { slot: 2, status: running }),
    );
    const v2 = { ...v1, version: 2, spec: structuredClone(v1.spec) };
    v2.spec.taskTemplate.containerSpec.image = 'busybox:1.36';
    await store.seed('service', v2);

    expect(await updater.runPass()).toEqual(['a']);
    expect(await updater.runPass()).toEqual([]);
    await store.update((tx) => {
      const t = tx.get('task', 'new1')!;
      t.status.state = 'running';
      tx.update('task', t);
    });
    expect(await updater.runPass()).toEqual(['b']);
    const tasks = tasksOf(store, 'web');
    expect(
      tasks
        .filter((t) => t.desiredState === 'running')
        .map((t) => [t.id, t.slot, t.serviceVersion]),
    ).toEqual([
      ['new1', 1, 2],
      ['new2', 2, 2],
    ]);
  });

  it('replaces nothing when only the replica count changed', async () => {
    const store = new InMemoryObjectStore();
    const updater = new Updater({ store, clock: new ManualClock(), log: silentLogger() });
    const v1 = makeService('web', makeSpec('web'));
    const running = { state: 'running' as const, timestamp: '2026-01-01T00:00:00Z', message: '' };
    await store.seed('task', makeTask('a', v1, { status: running }));
    await store.seed('service', {
      ...v1,
      version: 2,
      spec: { ...v1.spec, mode: { replicated: { replicas: 3 } } },
    });
    expect(await updater.runPass()).toEqual([]);
  });
});
