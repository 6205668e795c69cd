// The secrets and configs this node's tasks use, in memory only, as the manager sends them over
// the session (SecretsUpdate). Never written anywhere but a task's tmpfs (task-files.ts).

export interface SecretData {
  /** registry-auth: a service's pull credentials (pull-auth.ts), never a file. */
  kind: 'secret' | 'config' | 'registry-auth';
  data: Buffer;
}

export class HeldSecrets {
  private readonly byId = new Map<string, SecretData>();
  private readonly waiters = new Set<() => void>();

  /** A SecretsUpdate: `full` replaces the whole set. */
  apply(full: boolean, set: { id: string; kind: string; data: Buffer }[], removed: string[]): void {
    if (full) this.byId.clear();
    for (const s of set) this.byId.set(s.id, { kind: kindOf(s.kind), data: s.data });
    for (const id of removed) this.byId.delete(id);
    for (const w of [...this.waiters]) w();
  }

  get(id: string): SecretData | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Waits up to `timeoutMs` for every id to arrive. The manager sends a task's secrets before its
   * assignment on the same stream, so this only waits when that order was broken (a reconnect).
   */
  async waitFor(ids: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const missing = () => ids.some((id) => !this.byId.has(id));
    if (!missing()) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        if (missing() && !signal?.aborted) return;
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function kindOf(kind: string): SecretData['kind'] {
  return kind === 'config' || kind === 'registry-auth' ? kind : 'secret';
}
