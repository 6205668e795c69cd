// An in-process mutex per key: callers with the same key run one after another (layer applies,
// snapshot operations, a container's lifecycle operations).
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether an operation on this key is running or queued. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
