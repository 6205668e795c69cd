import { describe, expect, it } from 'vitest';
import type { DesiredState, Task, TaskState } from '../../shared/model/index.js';
import { nodeFixture, serviceFixture, taskFixture } from '../store/fixtures.js';
import type { StoreEvent } from '../store/types.js';
import { concernsOrchestrator, concernsScheduler, concernsUpdater } from './events.js';

const svc = serviceFixture('web');
function put(state: TaskState, desiredState: DesiredState = 'running'): StoreEvent {
  const t: Task = { ...taskFixture(svc, 1), desiredState };
  t.status = { ...t.status, state };
  return { kind: 'task', type: 'put', object: t, revision: 1 };
}

describe('which store events start a pass', () => {
  it('orchestrator: not for a task progressing towards running, for everything else', () => {
    for (const s of ['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'] as const)
      expect(concernsOrchestrator(put(s))).toBe(false);
    for (const s of ['new', 'pending', 'complete', 'failed', 'shutdown', 'orphaned'] as const)
      expect(concernsOrchestrator(put(s))).toBe(true);
    expect(concernsOrchestrator(put('running', 'shutdown'))).toBe(true);
    expect(concernsOrchestrator({ ...put('running'), type: 'delete' })).toBe(true);
    expect(concernsOrchestrator({ kind: 'service', type: 'put', object: svc, revision: 1 })).toBe(
      true,
    );
    expect(
      concernsOrchestrator({ kind: 'node', type: 'put', object: nodeFixture(), revision: 1 }),
    ).toBe(true);
  });

  it('scheduler: tasks to place, tasks that left their node, and nodes', () => {
    expect(concernsScheduler(put('pending'))).toBe(true);
    expect(concernsScheduler(put('failed'))).toBe(true);
    expect(concernsScheduler({ ...put('running'), type: 'delete' })).toBe(true);
    expect(
      concernsScheduler({ kind: 'node', type: 'put', object: nodeFixture(), revision: 1 }),
    ).toBe(true);
    // A task shutting down still holds its place until it stops.
    expect(concernsScheduler(put('running', 'shutdown'))).toBe(false);
    expect(concernsScheduler(put('assigned'))).toBe(false);
    expect(concernsScheduler({ kind: 'service', type: 'put', object: svc, revision: 1 })).toBe(
      false,
    );
  });

  it('updater: tasks of another version, and of a version whose update is rolling', () => {
    const v2 = { ...svc, version: 2 };
    const task = (serviceVersion: number): StoreEvent => {
      const e = put('running');
      return { ...e, object: { ...(e.object as Task), serviceVersion } } as StoreEvent;
    };
    // Steady state: no update of this version is rolling, so task progress changes nothing.
    expect(concernsUpdater(task(2), v2)).toBe(false);
    expect(
      concernsUpdater(task(2), {
        ...v2,
        updateStatus: { state: 'completed', message: '', serviceVersion: 2 },
      }),
    ).toBe(false);
    expect(
      concernsUpdater(task(2), {
        ...v2,
        updateStatus: { state: 'paused', message: '', serviceVersion: 2 },
      }),
    ).toBe(false);
    // An update from an earlier version's status does not count as rolling for this one.
    expect(
      concernsUpdater(task(2), {
        ...v2,
        updateStatus: { state: 'updating', message: '', serviceVersion: 1 },
      }),
    ).toBe(false);
    for (const state of ['updating', 'rollback_started'] as const)
      expect(
        concernsUpdater(task(2), {
          ...v2,
          updateStatus: { state, message: '', serviceVersion: 2 },
        }),
      ).toBe(true);
    expect(concernsUpdater(task(1), v2)).toBe(true);
    expect(concernsUpdater(task(2), undefined)).toBe(true);
    expect(concernsUpdater({ kind: 'service', type: 'put', object: v2, revision: 1 }, v2)).toBe(
      true,
    );
    expect(
      concernsUpdater({ kind: 'node', type: 'put', object: nodeFixture(), revision: 1 }, undefined),
    ).toBe(true);
  });
});
