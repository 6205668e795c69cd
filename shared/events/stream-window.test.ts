import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { streamEventWindow, type WindowClock, type WindowedEventLog } from './stream-window.js';

interface Ev {
  id: string;
  timeNano: number;
}

const at = (id: string, ms: number): Ev => ({ id, timeNano: ms * 1e6 });

class FakeLog implements WindowedEventLog<Ev> {
  listeners = new Set<(e: Ev) => void>();
  constructor(private readonly history: Ev[]) {}
  since(sinceMs: number, untilMs: number): Ev[] {
    return this.history.filter((e) => e.timeNano / 1e6 >= sinceMs && e.timeNano / 1e6 <= untilMs);
  }
  subscribe(listener: (e: Ev) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(e: Ev): void {
    for (const l of this.listeners) l(e);
  }
}

class FakeResponse extends EventEmitter {
  writableEnded = false;
  headersFlushed = false;
  lines: string[] = [];
  write(chunk: string): boolean {
    this.lines.push(chunk);
    return true;
  }
  end(): void {
    this.writableEnded = true;
    this.emit('finish');
  }
  flushHeaders(): void {
    this.headersFlushed = true;
  }
  ids(): string[] {
    return this.lines.map((l) => (JSON.parse(l) as Ev).id);
  }
}

/** A clock that stands still; its one timer fires when the test says so. */
class FakeClock implements WindowClock {
  timers: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  constructor(private readonly ms: number) {}
  now(): number {
    return this.ms;
  }
  after(ms: number, fire: () => void): () => void {
    const t = { ms, fire, cancelled: false };
    this.timers.push(t);
    return () => void (t.cancelled = true);
  }
}

function setUp(history: Ev[], nowMs: number) {
  return {
    log: new FakeLog(history),
    res: new FakeResponse(),
    req: new EventEmitter(),
    clock: new FakeClock(nowMs),
  };
}

describe('streamEventWindow', () => {
  it('replays history from since, then ends at once when until has passed, subscribing nothing', async () => {
    const { log, res, req, clock } = setUp([at('a', 100), at('b', 200), at('c', 300)], 1_000);
    await streamEventWindow({
      events: log,
      sinceMs: 150,
      untilMs: 250,
      matches: () => true,
      res,
      req,
      clock,
    });
    expect(res.ids()).toEqual(['b']);
    expect(res.lines[0]).toBe(`${JSON.stringify(at('b', 200))}\n`);
    expect(res.writableEnded).toBe(true);
    expect(log.listeners.size).toBe(0);
    expect(clock.timers).toEqual([]);
  });

  it('without since streams live events only, filtered by the matcher', async () => {
    const { log, res, req, clock } = setUp([at('old', 100)], 1_000);
    const done = streamEventWindow({
      events: log,
      untilMs: Infinity,
      matches: (e) => e.id !== 'skip',
      res,
      req,
      clock,
    });
    expect(res.headersFlushed).toBe(true);
    log.emit(at('x', 1_001));
    log.emit(at('skip', 1_002));
    log.emit(at('y', 1_003));
    expect(res.ids()).toEqual(['x', 'y']);
    // No until: no timer; the stream lasts until the client goes away.
    expect(clock.timers).toEqual([]);
    req.emit('close');
    await done;
    expect(log.listeners.size).toBe(0);
  });

  it('arms a timer for the time left until `until` and ends the response when it fires', async () => {
    const { log, res, req, clock } = setUp([at('h', 900)], 1_000);
    const done = streamEventWindow({
      events: log,
      sinceMs: 0,
      untilMs: 1_500,
      matches: () => true,
      res,
      req,
      clock,
    });
    expect(clock.timers.map((t) => t.ms)).toEqual([500]);
    log.emit(at('live', 1_200));
    // An event stamped after `until` is not sent even if it arrives before the timer fires.
    log.emit(at('late', 1_600));
    clock.timers[0].fire();
    await done;
    expect(res.ids()).toEqual(['h', 'live']);
    expect(res.writableEnded).toBe(true);
    expect(log.listeners.size).toBe(0);
  });

  it('cancels the timer and unsubscribes when the client goes away first', async () => {
    const { log, res, req, clock } = setUp([], 1_000);
    const done = streamEventWindow({
      events: log,
      untilMs: 60_000,
      matches: () => true,
      res,
      req,
      clock,
    });
    req.emit('close');
    await done;
    expect(clock.timers[0].cancelled).toBe(true);
    expect(log.listeners.size).toBe(0);
  });

  it('writes nothing more once the response has ended', async () => {
    const { log, res, req, clock } = setUp([], 1_000);
    const done = streamEventWindow({
      events: log,
      untilMs: Infinity,
      matches: () => true,
      res,
      req,
      clock,
    });
    res.writableEnded = true;
    log.emit(at('after-end', 1_001));
    expect(res.lines).toEqual([]);
    res.emit('finish');
    await done;
  });
});
