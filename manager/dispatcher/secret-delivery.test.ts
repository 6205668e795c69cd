import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { Task } from '../../shared/model/index.js';
import { serviceFixture, taskFixture } from '../store/fixtures.js';
import { NodeSecrets } from './secret-delivery.js';

const ref = (id: string) => ({ id, name: id, target: id, uid: '0', gid: '0', mode: 0o444 });

function task(id: string, secrets: string[], over: Partial<Task> = {}): Task {
  const t = taskFixture(serviceFixture('web'), 1, { id, ...over });
  t.spec.containerSpec.secrets = secrets.map(ref);
  return t;
}

describe('secrets delivered to one node', () => {
  const loads: string[] = [];
  const payload = (_kind: string, id: string) => (loads.push(id), Buffer.from(`data-${id}`));

  it('sends a secret once, with the first task that needs it, and drops it after the last', () => {
    const n = new NodeSecrets(payload, silentLogger());
    const first = n.track(task('t1', ['s1']));
    expect(first.set.map((p) => [p.id, p.data!.toString()])).toEqual([['s1', 'data-s1']]);
    expect(n.track(task('t2', ['s1', 's2'])).set.map((p) => p.id)).toEqual(['s2']);
    // Re-sent assignments of a task change nothing.
    expect(n.track(task('t2', ['s1', 's2']))).toEqual({ set: [], removed: [] });
    expect(n.forget('t1')).toEqual([]);
    expect(n.forget('t2').sort()).toEqual(['s1', 's2']);
  });

  it('drops the secrets of a task that stopped for good', () => {
    const n = new NodeSecrets(payload, silentLogger());
    n.track(task('t1', ['s1']));
    const stopped = task('t1', ['s1'], {
      desiredState: 'shutdown',
      status: { state: 'shutdown', message: '', timestamp: new Date().toISOString() },
    });
    expect(n.track(stopped)).toEqual({ set: [], removed: ['s1'] });
  });

  it('starts over from the full set when a session opens', () => {
    const n = new NodeSecrets(payload, silentLogger());
    n.track(task('old', ['s9']));
    expect(n.full([task('t1', ['s1'])]).map((p) => p.id)).toEqual(['s1']);
    expect(n.forget('old')).toEqual([]);
  });

  it("sends a service's registry credentials to the node with its task, and drops them after", () => {
    const kinds: string[] = [];
    const n = new NodeSecrets(
      (kind, id) => (kinds.push(kind), Buffer.from(`auth-${id}`)),
      silentLogger(),
    );
    const sent = n.track(task('t1', [], { pullAuthId: 'svc.a1' }));
    expect(sent.set.map((p) => [p.id, p.kind, p.data!.toString()])).toEqual([
      ['svc.a1', 'registry-auth', 'auth-svc.a1'],
    ]);
    expect(kinds).toEqual(['registry-auth']);
    // A second task of the service on the node: nothing more to send.
    expect(n.track(task('t2', [], { pullAuthId: 'svc.a1' })).set).toEqual([]);
    expect(n.forget('t1')).toEqual([]);
    expect(n.forget('t2')).toEqual(['svc.a1']);
  });
});
