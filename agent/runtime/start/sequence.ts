// Runs a container start as its ordered steps (steps.ts), timing each phase. A failed step undoes
// what the earlier ones made, fails the waiting attachers and records Docker's exit status for a
// failed start; the caller holds the container's lock.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { AttachHub } from '../attach/hub.js';
import type { ContainerRecord } from '../container/record.js';
import type { RuntimeContext } from '../context.js';
import type { Supervisor } from '../supervisor.js';
import type { StartRun, StartStep } from './run.js';

export interface StartSequenceDeps {
  ctx: Pick<RuntimeContext, 'bundleDir' | 'persistDir' | 'log' | 'store'>;
  attach: Pick<AttachHub, 'failPending'>;
  supervisor: Pick<Supervisor, 'beforeStart'>;
  /** The phases in order (startSteps() in production). */
  steps: StartStep[];
}

export class StartSequence {
  constructor(private readonly deps: StartSequenceDeps) {}

  /** Starts a created or exited container; a running one is left alone, a paused one refused. */
  async run(rec: ContainerRecord, restarting = false): Promise<void> {
    const { ctx, attach, supervisor, steps } = this.deps;
    if (rec.state.status === 'running') return;
    if (rec.state.status === 'paused')
      throw new FlotillaError('CONTAINER_PAUSED', { id: rec.name });
    supervisor.beforeStart(rec);
    const run: StartRun = {
      rec,
      restarting,
      bundle: ctx.bundleDir(rec.id),
      persist: ctx.persistDir(rec.id),
      cleanup: [],
      hostNetwork: false,
    };
    // Where a start spends its time (logged at debug level).
    const phases: Record<string, number> = {};
    try {
      for (const step of steps) {
        const t0 = performance.now();
        await step.run(run);
        phases[step.phase] = Math.round((performance.now() - t0) * 10) / 10;
      }
      ctx.log.info({ containerId: rec.id, pid: rec.state.pid }, 'container started');
      ctx.log.debug({ containerId: rec.id, phases }, 'container start phases');
    } catch (err) {
      for (const undo of run.cleanup.reverse()) await undo().catch(() => undefined);
      run.early?.fail(err);
      attach.failPending(rec.id, err);
      const fe =
        err instanceof FlotillaError
          ? err
          : new FlotillaError(
              'CONTAINER_START_FAILED',
              { id: rec.name, reason: (err as Error).message },
              { cause: err },
            );
      rec.state = {
        ...rec.state,
        status: rec.state.status === 'created' ? 'created' : 'exited',
        pid: 0,
        // Docker's statuses for a failed start: 127/126 when the command is the problem, else 125.
        exitCode: fe.exitCode ?? 125,
        error: fe.message,
      };
      await ctx.store.save(rec).catch(() => undefined);
      throw fe;
    }
  }
}
