// The since/until window of a `GET /events` stream, shared by the agent's and the manager's route:
// the bounded history from `since` first, then live events until `until` or until the client goes
// away. The caller parses the query, writes the status line and headers, and owns the matcher.

/** A log of events the window reads: bounded history plus live subscription. */
export interface WindowedEventLog<E extends { timeNano: number }> {
  /** Events with `sinceMs` <= time <= `untilMs` (epoch ms), oldest first. */
  since(sinceMs: number, untilMs: number): Iterable<E>;
  /** Calls `listener` for each new event until the returned function is called. */
  subscribe(listener: (e: E) => void): () => void;
}

/** The response the window writes to; a node `ServerResponse` after `writeHead` fits. */
export interface WindowResponse {
  readonly writableEnded: boolean;
  write(chunk: string): unknown;
  end(): unknown;
  flushHeaders(): void;
  on(event: 'finish', listener: () => void): unknown;
}

/** Time and the one timer the window needs; tests pass a fake. */
export interface WindowClock {
  now(): number;
  /** Runs `fire` after `ms`; the returned function cancels it. */
  after(ms: number, fire: () => void): () => void;
}

// setTimeout holds at most 2^31-1 ms; an `until` further away than ~24.8 days ends the stream then.
const maxTimerMs = 2 ** 31 - 1;

export const systemWindowClock: WindowClock = {
  now: () => Date.now(),
  after(ms, fire) {
    const timer = setTimeout(fire, Math.min(ms, maxTimerMs));
    return () => clearTimeout(timer);
  },
};

export interface EventWindow<E extends { timeNano: number }> {
  events: WindowedEventLog<E>;
  /** Epoch ms; undefined streams live events only. */
  sinceMs?: number;
  /** Epoch ms; Infinity streams until the client goes away. */
  untilMs: number;
  matches: (e: E) => boolean;
  res: WindowResponse;
  /** The request's socket side: its 'close' means the client went away. */
  req: { on(event: 'close', listener: () => void): unknown };
  /** @default systemWindowClock */
  clock?: WindowClock;
}

/**
 * Writes the window's events as NDJSON lines. Resolves when the stream is over: at once when
 * `until` has passed (the response is ended), else when the response finishes (timer at `until`)
 * or the client closes; the subscription and the timer are released then.
 */
export function streamEventWindow<E extends { timeNano: number }>(
  w: EventWindow<E>,
): Promise<void> {
  const { events, untilMs, res } = w;
  const clock = w.clock ?? systemWindowClock;
  const write = (e: E) => {
    if (!res.writableEnded && w.matches(e)) res.write(`${JSON.stringify(e)}\n`);
  };
  if (w.sinceMs !== undefined) for (const e of events.since(w.sinceMs, untilMs)) write(e);
  const remainingMs = untilMs - clock.now();
  if (remainingMs <= 0) {
    res.end();
    return Promise.resolve();
  }
  const off = events.subscribe((e) => {
    if (e.timeNano / 1e6 <= untilMs) write(e);
  });
  // Headers now: a client waiting for the first event knows the stream is open.
  res.flushHeaders();
  const cancelTimer = Number.isFinite(remainingMs)
    ? clock.after(remainingMs, () => res.end())
    : () => {};
  return new Promise<void>((resolve) => {
    const done = () => {
      off();
      cancelTimer();
      resolve();
    };
    w.req.on('close', done);
    res.on('finish', done);
  });
}
