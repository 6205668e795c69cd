// Waits until a service converges after create/update/scale/rollback, drawing Docker's progress
// block, and fails with the reason when the update pauses, rolls back, or tasks keep failing.
// Polls the manager API (GET /services/:id, /tasks); the manager keeps no client state for it.
import { FlotillaError } from '../shared/errors/index.js';
import type { Node, Service, Task } from '../shared/model/index.js';
import { isTerminal } from '../shared/model/index.js';
import type { ManagerClient } from './clients/manager-client.js';
import {
  ConvergenceRenderer,
  convergenceView,
  formatSlot,
  runsCurrentSpec,
} from './render/progress-convergence.js';

export interface ConvergeOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The service version the command produced; statuses of older versions are ignored. */
  version?: number;
  /** `service rollback`: a rollback is what we wait for, not a failure. */
  rollback?: boolean;
  /** No progress block, only the outcome (-q). */
  quiet?: boolean;
  /** @default 500 */
  pollMs?: number;
  /** Failed tasks of the current spec, per slot, before giving up. @default 3 */
  maxSlotFailures?: number;
  signal?: AbortSignal;
  /** Injected for tests. */
  now?: () => number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Resolves once converged; throws SERVICE_UPDATE_PAUSED / ROLLED_BACK / TASKS_FAILING. */
export async function waitForConvergence(
  client: ManagerClient,
  serviceId: string,
  o: ConvergeOptions,
): Promise<void> {
  const now = o.now ?? Date.now;
  const startedIso = new Date(now()).toISOString();
  const renderer = new ConvergenceRenderer(o.out);
  let nodes: Node[] = [];
  try {
    nodes = await client.json<Node[]>({ path: '/nodes' });
  } catch {
    // Host names are a nicety for global services; ids do as well.
  }
  let rollingBack = Boolean(o.rollback);
  let stableSince: number | undefined;
  const notes: [string, string][] = [];
  for (;;) {
    if (o.signal?.aborted) return;
    const service = await client.json<Service>({ path: `/services/${serviceId}` });
    const tasks = await client.json<Task[]>({ path: '/tasks', query: { service: serviceId } });
    const st = service.updateStatus;
    const ours = st && (o.version === undefined || (st.serviceVersion ?? 0) >= o.version);
    const name = service.spec.name;
    if (ours && st.state === 'rollback_started' && !rollingBack) {
      rollingBack = true;
      notes.push(['rollback', `rollback: ${st.message}`]);
    }
    const view = convergenceView(service, tasks, nodes);
    const lines: [string, string][] = [
      [
        'overall',
        `overall progress: ${rollingBack ? 'rolling back update: ' : ''}${view.running} out of ${view.desired} tasks`,
      ],
      ...view.slots.map((s): [string, string] => [s.id, formatSlot(s)]),
      ...notes,
    ];
    if (ours && st.state === 'paused')
      return fail(
        renderer,
        lines,
        o,
        new FlotillaError('SERVICE_UPDATE_PAUSED', { message: st.message, name }),
      );
    if (ours && st.state === 'rollback_paused')
      return fail(
        renderer,
        lines,
        o,
        new FlotillaError('SERVICE_ROLLBACK_PAUSED', { message: st.message, name }),
      );

    // Tasks of the current spec that keep failing in one slot: the service won't converge.
    const failures = tasks.filter(
      (t) =>
        t.createdAt >= startedIso &&
        (t.status.state === 'failed' || t.status.state === 'rejected') &&
        runsCurrentSpec(t, service),
    );
    const perSlot = new Map<string, number>();
    for (const t of failures)
      perSlot.set(`${t.slot}/${t.nodeId}`, (perSlot.get(`${t.slot}/${t.nodeId}`) ?? 0) + 1);
    if ([...perSlot.values()].some((n) => n >= (o.maxSlotFailures ?? 3))) {
      const lastFailed = failures.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      return fail(
        renderer,
        lines,
        o,
        new FlotillaError('SERVICE_TASKS_FAILING', {
          name,
          count: failures.length,
          error: lastFailed.status.err ?? lastFailed.status.message,
        }),
      );
    }

    const updating = ours && (st.state === 'updating' || st.state === 'rollback_started');
    const done = ours && (st.state === 'completed' || st.state === 'rollback_completed');
    // Old tasks of a stop-first replacement or a scale-down still stopping.
    const stopping = tasks.some(
      (t) =>
        t.desiredState !== 'running' &&
        t.nodeId &&
        !isTerminal(t.status.state) &&
        view.desired === 0,
    );
    let verify: string | undefined;
    if (view.converged && !updating && !stopping) {
      const monitorNs = (rollingBack ? service.spec.rollbackConfig : service.spec.updateConfig)
        .monitorNs;
      stableSince ??= now();
      const waitMs = done ? 0 : monitorNs / 1e6;
      if (now() - stableSince >= waitMs) {
        if (ours && st.state === 'rollback_completed' && !o.rollback) {
          return fail(
            renderer,
            lines,
            o,
            new FlotillaError('SERVICE_ROLLED_BACK', { message: st.message, name }),
          );
        }
        if (!o.quiet) renderer.draw([...lines, ['verify', 'verify: Service converged']]);
        return;
      }
      // The full period, so plain output prints it once.
      verify = `verify: Waiting ${Math.ceil(waitMs / 1000)} seconds to verify that tasks are stable...`;
    } else stableSince = undefined;
    if (!o.quiet) renderer.draw(verify ? [...lines, ['verify', verify]] : lines);
    await sleep(o.pollMs ?? 500, o.signal);
  }
}

function fail(
  renderer: ConvergenceRenderer,
  lines: [string, string][],
  o: ConvergeOptions,
  err: FlotillaError,
): never {
  if (!o.quiet) renderer.draw(lines);
  throw err;
}
