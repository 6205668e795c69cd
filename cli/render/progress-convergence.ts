// Service convergence as `docker service create/update` shows it: an "overall progress" line, one
// line per slot (or node, for global services) with the task's state as a bar, and verify/rollback
// notes. On a terminal the block is redrawn in place; elsewhere only changed lines are printed.
import type { Node, Service, Task, TaskState } from '../../shared/model/index.js';
import { canonical } from '../../shared/json/canonical.js';

const BAR_WIDTH = 50;
/** Docker's numbered states: the bar is full at running. */
const stateNumber: Partial<Record<TaskState, number>> = {
  new: 1,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
};

export interface SlotLine {
  id: string;
  state: string;
  /** 0..9 (running = 9); undefined for a terminal state (no bar). */
  step?: number;
  err?: string;
}

export interface ConvergenceView {
  running: number;
  desired: number;
  slots: SlotLine[];
  /** Every slot runs a task of the current spec, nothing else should run. */
  converged: boolean;
}

/** The task runs the service's current task template (manager/update's "not dirty"). */
export function runsCurrentSpec(t: Task, s: Service): boolean {
  return canonical(t.spec) === canonical(s.spec.taskTemplate);
}

function isReady(t: Task): boolean {
  if (t.status.state !== 'running') return false;
  const test = t.spec.containerSpec.healthcheck?.test;
  const checked = Boolean(test && test.length && test[0] !== 'NONE');
  return t.status.health === undefined ? !checked : t.status.health === 'healthy';
}

/** What the progress display shows for a service and its tasks. */
export function convergenceView(
  service: Service,
  tasks: readonly Task[],
  nodes: readonly Node[] = [],
): ConvergenceView {
  const mine = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running');
  const newest = (list: Task[]) =>
    list.sort((a, b) => {
      const ca = runsCurrentSpec(a, service) ? 1 : 0;
      const cb = runsCurrentSpec(b, service) ? 1 : 0;
      return cb - ca || b.createdAt.localeCompare(a.createdAt);
    })[0];
  const slots: SlotLine[] = [];
  let running = 0;
  const line = (id: string, t: Task | undefined): SlotLine => {
    if (!t) return { id, state: 'new', step: 0 };
    const current = runsCurrentSpec(t, service);
    const ok = current && isReady(t);
    if (ok) running++;
    const state = t.status.state === 'running' && !ok ? 'starting' : t.status.state;
    return {
      id,
      state,
      step: stateNumber[state as TaskState],
      err: t.status.err ?? (t.status.state === 'pending' ? t.pendingReason : undefined),
    };
  };
  let desired: number;
  if ('replicated' in service.spec.mode) {
    desired = service.spec.mode.replicated.replicas;
    for (let slot = 1; slot <= desired; slot++)
      slots.push(line(`${slot}/${desired}`, newest(mine.filter((t) => t.slot === slot))));
  } else {
    const byNode = new Map<string, Task[]>();
    for (const t of mine) if (t.nodeId) byNode.set(t.nodeId, [...(byNode.get(t.nodeId) ?? []), t]);
    desired = byNode.size;
    const host = new Map(nodes.map((n) => [n.id, n.description.hostname]));
    for (const [nodeId, list] of [...byNode].sort())
      slots.push(line(host.get(nodeId) ?? nodeId.slice(0, 12), newest(list)));
  }
  const extra = mine.filter(
    (t) => 'replicated' in service.spec.mode && (t.slot < 1 || t.slot > desired),
  ).length;
  const perSlot = new Map<string, number>();
  for (const t of mine)
    perSlot.set(
      `${t.slot}/${t.nodeId ?? ''}`,
      (perSlot.get(`${t.slot}/${t.nodeId ?? ''}`) ?? 0) + 1,
    );
  const pairs = [...perSlot.values()].some((n) => n > 1);
  return { running, desired, slots, converged: running === desired && extra === 0 && !pairs };
}

export function formatSlot(s: SlotLine): string {
  const head = `${s.id}: ${s.state.padEnd(9)}`;
  if (s.err) return `${head} ${s.err}`;
  if (s.step === undefined) return head;
  const filled = Math.round((s.step / 9) * BAR_WIDTH);
  const bar =
    filled >= BAR_WIDTH
      ? `${'='.repeat(BAR_WIDTH)}>`
      : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled)}`;
  return `${head} [${bar}]`;
}

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Draws the progress block: redrawn in place on a terminal, changed lines only elsewhere. */
export class ConvergenceRenderer {
  private drawn = 0;
  private readonly last = new Map<string, string>();

  constructor(
    private readonly out: Out,
    private readonly tty = Boolean(out.isTTY),
  ) {}

  /** Redraws the block: `lines` are [id, text] in display order. */
  draw(lines: [string, string][]): void {
    if (!this.tty) {
      for (const [id, text] of lines) {
        if (this.last.get(id) === text) continue;
        this.last.set(id, text);
        this.out.write(`${text}\n`);
      }
      return;
    }
    const cols = this.out.columns ?? 0;
    let s = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const [, text] of lines)
      s += `\x1b[2K\r${cols > 0 && text.length >= cols ? text.slice(0, cols - 1) : text}\n`;
    // Clear what's left of a longer previous block (a scale-down has fewer slots).
    for (let i = lines.length; i < this.drawn; i++) s += '\x1b[2K\n';
    if (this.drawn > lines.length) s += `\x1b[${this.drawn - lines.length}A`;
    this.out.write(s);
    this.drawn = lines.length;
  }
}
