// Which secrets and configs one node holds: those referenced by the tasks its agent was sent that
// may still run. Tells its session what to send before an assignment needs it, and which ids to
// drop once the last task using them is gone or stopped (a node never keeps a secret it no longer
// needs). The data itself comes from `payload` (manager/secrets, wired in cluster-part.ts).
import type { SecretPayload } from '../../proto/index.js';
import type { Logger } from '../../shared/log/index.js';
import { isTerminal, type Task } from '../../shared/model/index.js';

/** registry-auth: a service's pull credentials (`--with-registry-auth`), by the task's pullAuthId. */
export type FileKind = 'secret' | 'config' | 'registry-auth';
/** The bytes of a secret or config; undefined when it no longer exists. */
export type PayloadSource = (kind: FileKind, id: string) => Buffer | undefined;

export interface SecretsChange {
  set: SecretPayload[];
  removed: string[];
}

export class NodeSecrets {
  /** taskId → the ids it references (only tasks that may still run). */
  private readonly byTask = new Map<string, string[]>();
  /** id → how many tracked tasks reference it. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly payload: PayloadSource,
    private readonly log: Logger,
  ) {}

  /** Starts over from the complete set sent when a session opens. */
  full(tasks: readonly Task[]): SecretPayload[] {
    this.byTask.clear();
    this.held.clear();
    const out: SecretPayload[] = [];
    for (const t of tasks) out.push(...this.track(t).set);
    return out;
  }

  /** A task sent (again) to the node: what to send first, and what it no longer needs. */
  track(t: Task): SecretsChange {
    const before = this.byTask.get(t.id) ?? [];
    const now = mayRun(t) ? refsOf(t) : [];
    if (now.length === 0) this.byTask.delete(t.id);
    else this.byTask.set(t.id, now);
    const set: SecretPayload[] = [];
    for (const key of now) {
      const n = this.held.get(key) ?? 0;
      this.held.set(key, n + 1);
      if (n === 0) {
        const p = this.load(key, t.id);
        if (p) set.push(p);
      }
    }
    return { set, removed: this.release(before) };
  }

  /** The task left the node: ids no other task of it references. */
  forget(taskId: string): string[] {
    const before = this.byTask.get(taskId) ?? [];
    this.byTask.delete(taskId);
    return this.release(before);
  }

  private release(keys: readonly string[]): string[] {
    const removed: string[] = [];
    for (const key of keys) {
      const n = (this.held.get(key) ?? 1) - 1;
      if (n > 0) this.held.set(key, n);
      else {
        this.held.delete(key);
        removed.push(key.slice(key.indexOf(':') + 1));
      }
    }
    return removed;
  }

  private load(key: string, taskId: string): SecretPayload | undefined {
    const i = key.indexOf(':');
    const kind = key.slice(0, i) as FileKind;
    const id = key.slice(i + 1);
    try {
      const data = this.payload(kind, id);
      if (data) return { id, kind, data };
      this.log.warn({ taskId, [`${kind}Id`]: id }, `${kind} of a task not found`);
    } catch (err) {
      // Never log the error's data: the cipher's errors carry none, but be explicit.
      this.log.warn(
        { taskId, [`${kind}Id`]: id, code: (err as { code?: string }).code },
        `${kind} cannot be opened`,
      );
    }
    return undefined;
  }
}

/** A stopped task whose manager wants it stopped will not start again: its files can go. */
function mayRun(t: Task): boolean {
  return t.desiredState === 'running' || !isTerminal(t.status.state);
}

function refsOf(t: Task): string[] {
  const c = t.spec.containerSpec;
  return [
    ...(c.secrets ?? []).map((r) => `secret:${r.id}`),
    ...(c.configs ?? []).map((r) => `config:${r.id}`),
    ...(t.pullAuthId ? [`registry-auth:${t.pullAuthId}`] : []),
  ];
}
