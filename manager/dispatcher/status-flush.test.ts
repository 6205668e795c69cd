// Status ingestion without gRPC: reports are put in the queue as a session's checked reports are,
// and the flush that writes them is called directly.
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../shared/errors/index.js';
import { silentLogger } from '../../shared/log/index.js';
import type { TaskStatus } from '../../shared/model/index.js';
import { InMemoryObjectStore } from '../store/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../store/fixtures.js';
import type { ObjectStore } from '../store/index.js';
import { StatusIngest } from './status-ingest.js';

async function setup(failures: Error[]) {
  const store = new InMemoryObjectStore();
  const node = nodeFixture();
  const svc = serviceFixture('web');
  const task = taskFixture(svc, 1, { nodeId: node.id });
  task.status = { ...task.status, state: 'assigned' };
  await store.batch((tx) => {
    tx.create('node', node);
    tx.create('service', svc);
    tx.create('task', task);
  });
  // The store fails the next batches with the given errors, then works again.
  const flaky: ObjectStore = {
    list: (k) => store.list(k),
    get: (k, id) => store.get(k, id),
    serviceByName: (n) => store.serviceByName(n),
    claims: (space) => store.claims(space),
    update: (fn) => store.update(fn),
    batch: async (fn, o) => {
      const err = failures.shift();
      if (err) throw err;
      return store.batch(fn, o);
    },
    subscribe: (l) => store.subscribe(l),
    getCluster: () => store.getCluster(),
    putCluster: (c) => store.putCluster(c),
  };
  const ingest = new StatusIngest({ store: flaky, log: silentLogger() });
  const report = (state: TaskStatus['state']) =>
    ingest.add(task.id, node.id, { state, message: '', timestamp: new Date().toISOString() });
  return { store, task, ingest, report };
}

describe('dispatcher status ingestion', () => {
  it('writes a report again after a retryable failure, so none is lost', async () => {
    const conflict = new FlotillaError('STORE_CONFLICT', { kind: 'batch', id: '-', attempts: 5 });
    const { store, task, ingest, report } = await setup([conflict]);
    report('running');
    await ingest.flush();
    expect(store.get('task', task.id)?.status.state).toBe('assigned');
    await ingest.flush();
    expect(store.get('task', task.id)?.status.state).toBe('running');
  });

  it('keeps the newer report when one came in while the failed write was in flight', async () => {
    const conflict = new FlotillaError('STORE_CONFLICT', { kind: 'batch', id: '-', attempts: 5 });
    const { store, task, ingest, report } = await setup([conflict]);
    report('running');
    const flushing = ingest.flush();
    report('complete');
    await flushing;
    await ingest.flush();
    expect(store.get('task', task.id)?.status.state).toBe('complete');
  });

  it('drops reports whose write failed for good', async () => {
    const { store, task, ingest, report } = await setup([new Error('invalid document')]);
    report('running');
    await ingest.flush();
    await ingest.flush();
    expect(store.get('task', task.id)?.status.state).toBe('assigned');
    expect(ingest.pendingCount).toBe(0);
  });
});
