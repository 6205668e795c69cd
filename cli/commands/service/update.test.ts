import { describe, expect, it } from 'vitest';
import { makeService, makeSpec, makeTask } from '../../../test/harness/cluster/index.js';
import { convergenceView, formatSlot } from '../../render/progress-convergence.js';
import { applyUpdateFlags } from './update.js';

describe('service update flags', () => {
  it('adds and removes env, labels, constraints and ports, keeping the rest', () => {
    const cur = makeSpec('web');
    cur.taskTemplate.containerSpec.env = ['A=1', 'B=2'];
    cur.labels = { keep: '1', drop: '1' };
    cur.endpointSpec.ports = [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }];
    const next = applyUpdateFlags(cur, {
      image: 'nginx:2',
      envAdd: ['B=3', 'C=4'],
      envRm: ['A'],
      labelAdd: ['new=x'],
      labelRm: ['drop'],
      constraintAdd: ['node.role==worker'],
      publishRm: ['80'],
      publishAdd: ['9090:90'],
      replicas: '3',
      updateParallelism: '2',
      updateOrder: 'start-first',
      updateMaxFailureRatio: '0.25',
      rollbackParallelism: '0',
      force: true,
    });
    expect(next.taskTemplate.containerSpec.image).toBe('nginx:2');
    expect(next.taskTemplate.containerSpec.env).toEqual(['B=3', 'C=4']);
    expect(next.labels).toEqual({ keep: '1', new: 'x' });
    expect(next.taskTemplate.placement.constraints).toEqual(['node.role==worker']);
    expect(next.endpointSpec.ports).toEqual([
      { target: 90, published: 9090, protocol: 'tcp', mode: 'ingress' },
    ]);
    expect(next.mode).toEqual({ replicated: { replicas: 3 } });
    expect(next.updateConfig).toMatchObject({
      parallelism: 2,
      order: 'start-first',
      maxFailureRatio: 0.25,
      monitorNs: 5e9,
    });
    expect(next.rollbackConfig.parallelism).toBe(0);
    expect(next.taskTemplate.forceUpdate).toBe(1);
    expect(cur.taskTemplate.containerSpec.image).toBe('busybox:latest');
  });

  it('rejects values create would reject, naming the flag', () => {
    expect(() => applyUpdateFlags(makeSpec('web'), { updateOrder: 'sideways' })).toThrow(
      /--update-order/,
    );
    expect(() => applyUpdateFlags(makeSpec('web'), { rollbackFailureAction: 'rollback' })).toThrow(
      /--rollback-failure-action/,
    );
    expect(() => applyUpdateFlags(makeSpec('web'), { updateMaxFailureRatio: '2' })).toThrow(
      /--update-max-failure-ratio/,
    );
  });
});

describe('convergence view', () => {
  it('counts slots running the current spec and draws docker-style bars', () => {
    const s = makeService('web', makeSpec('web', { mode: { replicated: { replicas: 3 } } }));
    const running = { state: 'running' as const, timestamp: '2026-01-01T00:00:00Z', message: '' };
    const old = structuredClone(s);
    old.spec.taskTemplate.containerSpec.image = 'busybox:old';
    const tasks = [
      makeTask('a', s, { slot: 1, status: running }),
      makeTask('b', old, { slot: 2, status: running }),
      makeTask('c', s, { slot: 3 }),
    ];
    const v = convergenceView(s, tasks);
    expect([v.running, v.desired, v.converged]).toEqual([1, 3, false]);
    expect(formatSlot(v.slots[0])).toBe(`1/3: running   [${'='.repeat(50)}>]`);
    expect(v.slots[2].state).toBe('pending');
    tasks[1] = makeTask('b', s, { slot: 2, status: running });
    tasks[2] = makeTask('c', s, { slot: 3, status: running });
    expect(convergenceView(s, tasks).converged).toBe(true);
  });
});
