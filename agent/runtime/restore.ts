// Live restore at agent start: joins the records with `runc list` and the exit files, then adopts
// containers whose conmon is still the one we started, records exits that happened while the agent
// was away, cleans up orphans, and applies restart policies. It works on the store and through the
// supervisor; the engine calls it once, before the supervisor starts watching.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRecord } from './container/record.js';
import type { ContainerStore } from './container/store.js';
import { persistedExit } from './conmon/exit-watcher.js';
import type { RuntimeContext } from './context.js';
import type { Runc, RuncState } from './runc/runc.js';
import type { Supervisor } from './supervisor.js';

export interface RestoreDeps {
  store: Pick<ContainerStore, 'save'>;
  supervisor: Pick<
    Supervisor,
    'recordExit' | 'adopt' | 'conmonAlive' | 'afterExit' | 'scheduleRestart'
  >;
  host: Pick<RuntimeContext, 'runc' | 'crun' | 'paths' | 'persistDir' | 'log'>;
}

export async function restoreContainers(
  deps: RestoreDeps,
  records: ContainerRecord[],
): Promise<void> {
  const { store, supervisor, host } = deps;
  const log = host.log;
  // Each OCI runtime keeps its own --root; crun's exists only once a crun container ran.
  const runtimes = [host.runc, ...(existsSync(host.crun.deps.root) ? [host.crun] : [])];
  const states = new Map<string, RuncState & { runtime: Runc }>();
  for (const rt of runtimes)
    for (const s of await rt.list().catch(() => [])) states.set(s.id, { ...s, runtime: rt });
  for (const rec of records) {
    const wasLive = rec.state.status === 'running' || rec.state.status === 'paused';
    const exitFile = join(host.paths.exitDir, rec.id);
    const st = states.get(rec.id);
    states.delete(rec.id);
    const persisted = wasLive ? persistedExit(host.persistDir(rec.id)) : undefined;
    if (wasLive && (existsSync(exitFile) || persisted !== undefined)) {
      // 1. Exited while we were away: conmon recorded the code (exit dir, or its persist dir).
      const code = existsSync(exitFile)
        ? parseInt(readFileSync(exitFile, 'utf8').trim(), 10)
        : (persisted as number);
      await supervisor.recordExit(rec, Number.isFinite(code) ? code : 255);
      log.info(
        { containerId: rec.id, exitCode: code },
        'container exited while the agent was down',
      );
      applyBootPolicy(deps, rec);
    } else if (
      wasLive &&
      st &&
      (st.status === 'running' || st.status === 'paused') &&
      supervisor.conmonAlive(rec)
    ) {
      // 2. Still running under its conmon: adopt. The exit watcher and health monitor resume.
      rec.state.status = st.status;
      await store.save(rec);
      supervisor.adopt(rec);
      log.info({ containerId: rec.id }, 'container adopted');
    } else if (wasLive) {
      // 3./4. conmon gone (exit code lost) or no runc state at all (reboot): settle as exited.
      if (st) await st.runtime.kill(rec.id, 'KILL', true).catch(() => undefined);
      rec.state.error = st ? 'conmon died; exit code unknown' : 'runtime state lost (host reboot?)';
      await supervisor.recordExit(rec, 255);
      applyBootPolicy(deps, rec);
    } else if (rec.state.status === 'restarting') {
      applyBootPolicy(deps, rec, true);
    } else if (
      rec.state.status === 'exited' &&
      rec.manuallyStopped &&
      rec.options.restartPolicy?.name === 'always'
    ) {
      // Docker: a manual stop of an `always` container holds only until the daemon restarts.
      rec.manuallyStopped = false;
      supervisor.scheduleRestart(rec, 0);
    }
  }
  // runc containers with no record are leftovers of a create that never finished.
  for (const [orphan, st] of states) await st.runtime.delete(orphan, true).catch(() => undefined);
}

/** Docker at daemon start: always and unless-stopped come back unless manually stopped; on-failure too. */
function applyBootPolicy(deps: RestoreDeps, rec: ContainerRecord, pending = false): void {
  const p = rec.options.restartPolicy?.name ?? 'no';
  if (p === 'no' || rec.manuallyStopped) {
    if (pending) {
      rec.state.status = 'exited';
      void deps.store.save(rec);
    }
    return;
  }
  if (p === 'on-failure' && rec.state.exitCode === 0 && !pending) return;
  deps.supervisor.afterExit(rec);
}
