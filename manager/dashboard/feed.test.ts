import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../store/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../store/fixtures.js';
import type * as wire from './web/wire.js';
import { DashboardFeed, type FeedDelta, type FeedSnapshot } from './feed.js';

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: (() => void)[] = [];
  return {
    pending,
    set: (fn: () => void) => (pending.push(fn), fn),
    clear: (t: unknown) => void pending.splice(pending.indexOf(t as () => void), 1),
    fire: () => pending.splice(0).forEach((f) => f()),
  };
}

function frames(out: string[]) {
  return out.map((f) => {
    const [event, data] = f.split('\n');
    return { event: event.slice('event: '.length), data: JSON.parse(data.slice('data: '.length)) };
  });
}

async function setup() {
  const store = new InMemoryObjectStore();
  await store.start();
  const timers = manualTimers();
  const feed = new DashboardFeed({ store, timers });
  return { store, timers, feed };
}

describe('DashboardFeed', () => {
  it('sends a snapshot, then coalesced deltas; a heartbeat sends nothing', async () => {
    const { store, timers, feed } = await setup();
    const node = nodeFixture();
    const svc = serviceFixture('web');
    await store.seed('node', node);
    await store.seed('service', svc);
    const out: string[] = [];
    feed.join({ send: (f) => (out.push(f), true), close: () => {} });
    const snap = frames(out)[0];
    expect(snap.event).toBe('snapshot');
    // The page's wire types accept what the feed sends (a type check as much as a test).
    const s: wire.FeedSnapshot = snap.data as FeedSnapshot;
    expect(s.nodes.map((n) => n.id)).toEqual([node.id]);
    expect(s.services[0]).toMatchObject({ name: 'web', mode: 'replicated' });

    await store.seed('node', {
      ...node,
      status: { ...node.status, lastHeartbeat: new Date(5000).toISOString() },
    });
    expect(timers.pending).toHaveLength(0);
    const t1 = taskFixture(svc, 1, { nodeId: node.id });
    await store.seed('task', t1);
    await store.seed('task', { ...t1, status: { ...t1.status, state: 'running' } });
    await store.seed('node', { ...node, spec: { ...node.spec, availability: 'drain' } });
    expect(timers.pending).toHaveLength(1);
    timers.fire();
    const delta = frames(out)[1];
    expect(delta.event).toBe('delta');
    const d: wire.FeedDelta = delta.data as FeedDelta;
    expect(d.tasks[t1.id]).toMatchObject({ state: 'running', nodeId: node.id });
    expect(d.nodes[node.id]).toMatchObject({ availability: 'drain' });
    expect(out).toHaveLength(2);
  });

  it('drops finished tasks from the page and unsubscribes when the last page leaves', async () => {
    const { store, timers, feed } = await setup();
    const svc = serviceFixture('web');
    const t1 = taskFixture(svc, 1, {
      status: { state: 'running', timestamp: new Date(0).toISOString(), message: '' },
    });
    await store.seed('task', t1);
    const out: string[] = [];
    const leave = feed.join({ send: (f) => (out.push(f), true), close: () => {} });
    await store.seed('task', {
      ...t1,
      desiredState: 'shutdown',
      status: { ...t1.status, state: 'shutdown' },
    });
    timers.fire();
    expect(frames(out)[1].data.tasks[t1.id]).toBeNull();
    leave();
    expect(feed.clientCount).toBe(0);
    await store.seed('task', { ...t1, id: 'other' });
    expect(timers.pending).toHaveLength(0);
  });

  it('drops a page whose socket is backed up', async () => {
    const { store, timers, feed } = await setup();
    let closed = false;
    feed.join({ send: () => false, close: () => (closed = true) });
    await store.seed('service', serviceFixture('web'));
    timers.fire();
    expect(closed).toBe(true);
    expect(feed.clientCount).toBe(0);
  });
});
