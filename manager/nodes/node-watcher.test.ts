import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import {
  ManualClock,
  makeNode,
  makeService,
  makeSpec,
  makeTask,
} from '../../test/harness/cluster/index.js';
import { NodeWatcher } from './node-watcher.js';
import { InMemoryObjectStore } from '../store/index.js';

function setup() {
  const store = new InMemoryObjectStore();
  const clock = new ManualClock();
  const beats = new Map<string, number>();
  const watcher = new NodeWatcher({
    store,
    clock,
    log: silentLogger(),
    gracePeriodMs: 10_000,
    heartbeats: { lastHeartbeatMs: (id) => beats.get(id) },
  });
  const svc = makeService('web', makeSpec('web'));
  const running = { state: 'running' as const, timestamp: '2026-01-01T00:00:00Z', message: '' };
  return { store, clock, beats, watcher, svc, running };
}

describe('NodeWatcher', () => {
  it('marks a node down once its heartbeats stop for the grace period and orphans its tasks', async () => {
    const { store, clock, beats, watcher, svc, running } = setup();
    await store.seed('node', makeNode('n1'), makeNode('n2'));
    await store.seed('task', makeTask('t1', svc, { nodeId: 'n1', status: running }));
    await store.seed(
      'task',
      makeTask('done', svc, {
        nodeId: 'n1',
        desiredState: 'shutdown',
        status: { ...running, state: 'complete' },
      }),
    );
    beats.set('n1', clock.now());
    beats.set('n2', clock.now());
    clock.advance(8_000);
    beats.set('n2', clock.now());
    expect((await watcher.runPass()).markedDown).toEqual([]);
    clock.advance(2_001);
    const r = await watcher.runPass();
    expect(r.markedDown).toEqual(['n1']);
    expect(r.orphaned).toEqual(['t1']);
    expect(store.get('node', 'n1')?.status.state).toBe('down');
    expect(store.get('node', 'n2')?.status.state).toBe('ready');
    const t1 = store.get('task', 't1')!;
    expect([t1.status.state, t1.desiredState]).toEqual(['orphaned', 'shutdown']);
    expect(store.get('task', 'done')?.status.state).toBe('complete');
  });

  it('gives nodes one grace period after the watcher starts before judging them', async () => {
    const { store, clock, watcher } = setup();
    await store.seed('node', makeNode('n1'));
    await watcher.start();
    clock.advance(9_000);
    expect((await watcher.runPass()).markedDown).toEqual([]);
    clock.advance(2_000);
    expect((await watcher.runPass()).markedDown).toEqual(['n1']);
    await watcher.stop();
  });

  it('gives nodes the longer takeover grace after a failover when the grace period is short', async () => {
    const { store, clock } = setup();
    const watcher = new NodeWatcher({
      store,
      log: silentLogger(),
      clock,
      heartbeats: { lastHeartbeatMs: () => undefined },
      gracePeriodMs: 3_000,
    });
    await store.seed('node', makeNode('n1'));
    await watcher.start();
    clock.advance(9_500);
    expect((await watcher.runPass()).markedDown).toEqual([]);
    clock.advance(1_000);
    expect((await watcher.runPass()).markedDown).toEqual(['n1']);
    await watcher.stop();
  });

  it('asks the tasks of a drained node to shut down', async () => {
    const { store, clock, beats, watcher, svc, running } = setup();
    await store.seed('node', makeNode('n1', { spec: { availability: 'drain' } }));
    beats.set('n1', clock.now());
    await store.seed('task', makeTask('t1', svc, { nodeId: 'n1', status: running }));
    const r = await watcher.runPass();
    expect(r.drained).toEqual(['t1']);
    expect(store.get('task', 't1')?.desiredState).toBe('shutdown');
  });

  it('keeps the tasks of a paused node', async () => {
    const { store, clock, beats, watcher, svc, running } = setup();
    await store.seed('node', makeNode('n1', { spec: { availability: 'pause' } }));
    beats.set('n1', clock.now());
    await store.seed('task', makeTask('t1', svc, { nodeId: 'n1', status: running }));
    await watcher.runPass();
    expect(store.get('task', 't1')?.desiredState).toBe('running');
  });

  it('orphans the tasks of a node that was removed from the cluster', async () => {
    const { store, watcher, svc, running } = setup();
    await store.seed('task', makeTask('t1', svc, { nodeId: 'gone', status: running }));
    const r = await watcher.runPass();
    expect(r.orphaned).toEqual(['t1']);
    expect(store.get('task', 't1')?.status.message).toBe('node was removed');
  });
});

describe('NodeWatcher and standalone containers', () => {
  it("releases the attachments of a down node, and keeps a live node's", async () => {
    const { store, clock, beats, watcher } = setup();
    await store.seed('node', makeNode('n1'), makeNode('n2'));
    const attachment = (id: string, nodeId: string, address: string) => ({
      id,
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      nodeId,
      networkId: 'net1',
      address,
      containerId: `c-${id}`,
      containerName: id,
      aliases: [],
    });
    await store.update((tx) => {
      tx.create('attachment', attachment('a1', 'n1', '10.30.0.2'));
      tx.create('attachment', attachment('a2', 'n2', '10.30.0.3'));
    });
    beats.set('n1', clock.now());
    beats.set('n2', clock.now());
    clock.advance(8_000);
    beats.set('n2', clock.now());
    clock.advance(2_001);
    const r = await watcher.runPass();
    expect(r.markedDown).toEqual(['n1']);
    expect(r.detached).toEqual(['a1']);
    expect(store.list('attachment').map((a) => a.id)).toEqual(['a2']);
    expect(store.claims('overlay-addrs').has('net1/10.30.0.2')).toBe(false);
  });
});
