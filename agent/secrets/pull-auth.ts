// The registry credentials a task pulls its image with (`--with-registry-auth`): the manager sends
// them over the session with the secrets (kind registry-auth, id = the task's pullAuthId) only to
// nodes that run a task of that service. In memory only; never logged, never written.
import type { Credentials } from '../../shared/engine/index.js';
import type { Task } from '../../shared/model/index.js';
import type { HeldSecrets } from './held-secrets.js';

/** Same wait as for secret files: they come before the assignment unless a reconnect broke order. */
const arrivalTimeoutMs = 10_000;

export class HeldPullAuth {
  constructor(private readonly held: HeldSecrets) {}

  /** undefined: the task pulls anonymously (no auth, or it did not arrive in time). */
  async forTask(task: Task, signal?: AbortSignal): Promise<Credentials | undefined> {
    const id = task.pullAuthId;
    if (!id) return undefined;
    await this.held.waitFor([id], arrivalTimeoutMs, signal);
    const held = this.held.get(id);
    if (!held || held.kind !== 'registry-auth') return undefined;
    const doc = JSON.parse(held.data.toString('utf8')) as Partial<Credentials>;
    if (typeof doc.username !== 'string' || typeof doc.password !== 'string') return undefined;
    return { username: doc.username, password: doc.password };
  }
}
