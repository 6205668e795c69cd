// An in-process mutex: callers run one after another, in call order; a failed call does not stop
// the next. KeyedLock is the same per key.
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every call made so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
