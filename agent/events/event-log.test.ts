import { describe, expect, it } from 'vitest';
import { eventMatcher } from '../api/routes/events.js';
import { EngineEventLog } from './event-log.js';

const clock = (start: number) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('EngineEventLog', () => {
  it("keeps Docker's message shape, and names a container's network by its id and driver", () => {
    const c = clock(1_700_000_000_000);
    const log = new EngineEventLog({
      clock: c,
      networkOf: (name) => (name === 'web' ? { id: 'n1', driver: 'bridge' } : undefined),
    });
    log.object({ type: 'network', action: 'connect', id: 'web', attributes: { name: 'web' } });
    log.object({ type: 'image', action: 'tag', id: 'sha256:x', attributes: { name: 'a:1' } });
    const [net, img] = log.since(0);
    expect(net).toEqual({
      Type: 'network',
      Action: 'connect',
      Actor: { ID: 'n1', Attributes: { name: 'web', type: 'bridge' } },
      scope: 'local',
      time: 1_700_000_000,
      timeNano: 1_700_000_000_000 * 1e6,
    });
    expect(img).toMatchObject({ status: 'tag', id: 'sha256:x', Type: 'image' });
  });

  it('answers since/until from a bounded history, oldest first', () => {
    const c = clock(1000);
    const log = new EngineEventLog({ clock: c, historyLimit: 3 });
    for (const n of ['a', 'b', 'c', 'd']) {
      log.object({ type: 'volume', action: 'create', id: n, attributes: {} });
      c.advance(1000);
    }
    expect(log.since(0).map((e) => e.Actor.ID)).toEqual(['b', 'c', 'd']);
    expect(log.since(3000, 3000).map((e) => e.Actor.ID)).toEqual(['c']);
  });

  it("filters as Docker's events: keys AND, values OR", () => {
    const log = new EngineEventLog({ clock: clock(0) });
    log.object({ type: 'volume', action: 'mount', id: 'v', attributes: { container: 'c1' } });
    log.object({ type: 'network', action: 'create', id: 'n9', attributes: { name: 'front' } });
    const [mount, create] = log.since(0);
    const f = (o: Record<string, string[]>) => eventMatcher(new Map(Object.entries(o)));
    expect(f({ type: ['volume', 'network'] })(create!)).toBe(true);
    expect(f({ type: ['volume'], event: ['create'] })(mount!)).toBe(false);
    expect(f({ network: ['front'] })(create!)).toBe(true);
    expect(f({ container: ['c1'] })(mount!)).toBe(true);
    expect(f({ volume: ['v'], scope: ['local'] })(mount!)).toBe(true);
  });
});
