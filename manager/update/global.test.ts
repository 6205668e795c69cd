import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import { isTerminal } from '../../shared/model/index.js';
import { ManualClock, makeNode, makeService, makeSpec } from '../../test/harness/cluster/index.js';
import { Orchestrator } from '../orchestrator/index.js';
import { Updater } from './updater.js';
import { InMemoryObjectStore } from '../store/index.js';

describe('rolling update of a global service', () => {
  it('replaces one node at a time (stop-first) and keeps each task on its node', async () => {
    const store = new InMemoryObjectStore();
    const clock = new ManualClock();
    const log = silentLogger();
    let n = 0;
    const newId = () => `g${++n}`;
    const orchestrator = new Orchestrator({ store, clock, log, newId });
    const updater = new Updater({ store, clock, log, newId });
    await store.seed('node', makeNode('n1'), makeNode('n2'), makeNode('n3'));
    const spec = makeSpec('agent', { mode: { global: {} } });
    spec.updateConfig = { ...spec.updateConfig, monitorNs: 0 };
    await store.seed('service', makeService('agent', spec));
    let maxDown = 0;
    const step = async () => {
      await orchestrator.runPass();
      await updater.runPass();
      const up = new Set(
        store
          .list('task')
          .filter((t) => t.status.state === 'running')
          .map((t) => t.nodeId),
      );
      maxDown = Math.max(maxDown, 3 - up.size);
      // The agents: start what was placed (global tasks carry their node), stop what should stop.
      await store.update((tx) => {
        for (const t0 of store.list('task')) {
          const t = tx.get('task', t0.id)!;
          const timestamp = new Date(clock.now()).toISOString();
          if (t.desiredState !== 'running' && !isTerminal(t.status.state))
            t.status = { state: 'shutdown', timestamp, message: '' };
          else if (t.desiredState === 'running' && t.status.state === 'pending')
            t.status = { state: 'running', timestamp, message: '' };
          else continue;
          tx.update('task', t);
        }
      });
    };
    for (let i = 0; i < 3; i++) await step();
    maxDown = 0;
    await store.update((tx) => {
      const s = tx.get('service', 'agent')!;
      s.previousSpec = structuredClone(s.spec);
      s.spec.taskTemplate.containerSpec.image = 'busybox:2';
      s.version++;
      tx.update('service', s);
    });
    for (
      let i = 0;
      i < 30 && store.get('service', 'agent')?.updateStatus?.state !== 'completed';
      i++
    )
      await step();
    expect(store.get('service', 'agent')?.updateStatus?.state).toBe('completed');
    const live = store.list('task').filter((t) => t.desiredState === 'running');
    expect(live.map((t) => [t.nodeId, t.spec.containerSpec.image]).sort()).toEqual([
      ['n1', 'busybox:2'],
      ['n2', 'busybox:2'],
      ['n3', 'busybox:2'],
    ]);
    expect(maxDown).toBe(1);
  });
});
