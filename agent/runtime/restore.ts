// Live restore at agent start: joins the records with `runc list` and the exit files, then adopts
// containers whose conmon is still the one we started, records exits that happened while the agent
// was away, cleans up orphans, and applies restart policies (docs/design/runtime.md, "Live
// restore").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerRecord } from './container/record.js';
import type { Runc, RuncState } from './runc/runc.js';
import { persistedExit, type RuncContainerEngine } from './engine.js';

export async function restoreContainers(
  engine: RuncContainerEngine,
  records: ContainerRecord[],
): Promise<void> {
  const log = engine.logger;
  // Each OCI runtime keeps its own --root; crun's exists only once a crun container ran.
  const runtimes = [engine.runc, ...(existsSync(engine.crun.deps.root) ? [engine.crun] : [])];
  const states = new Map<string, RuncState & { runtime: Runc }>();
  for (const rt of runtimes)
    for (const s of await rt.list().catch(() => [])) states.set(s.id, { ...s, runtime: rt });
  for (const rec of records) {
    const wasLive = rec.state.status === 'running' || rec.state.status === 'paused';
    const exitFile = join(engine.paths.exitDir, rec.id);
    const st = states.get(rec.id);
    states.delete(rec.id);
    const persisted = wasLive ? persistedExit(engine.persistDir(rec.id)) : undefined;
    if (wasLive && (existsSync(exitFile) || persisted !== undefined)) {
      // 1. Exited while we were away: conmon recorded the code (exit dir, or its persist dir).
      const code = existsSync(exitFile)
        ? parseInt(readFileSync(exitFile, 'utf8').trim(), 10)
        : (persisted as number);
      await engine.recordExit(rec, Number.isFinite(code) ? code : 255);
      log.info(
        { containerId: rec.id, exitCode: code },
        'container exited while the agent was down',
      );
      applyBootPolicy(engine, rec);
    } else if (
      wasLive &&
      st &&
      (st.status === 'running' || st.status === 'paused') &&
      engine.conmonAlive(rec)
    ) {
      // 2. Still running under its conmon: adopt. The exit watcher and health monitor resume.
      rec.state.status = st.status;
      await engine.store.save(rec);
      engine.adopt(rec);
      log.info({ containerId: rec.id }, 'container adopted');
    } else if (wasLive) {
      // 3./4. conmon gone (exit code lost) or no runc state at all (reboot): settle as exited.
      if (st) await st.runtime.kill(rec.id, 'KILL', true).catch(() => undefined);
      rec.state.error = st ? 'conmon died; exit code unknown' : 'runtime state lost (host reboot?)';
      await engine.recordExit(rec, 255);
      applyBootPolicy(engine, rec);
    } else if (rec.state.status === 'restarting') {
      applyBootPolicy(engine, rec, true);
    } else if (
      rec.state.status === 'exited' &&
      rec.manuallyStopped &&
      rec.options.restartPolicy?.name === 'always'
    ) {
      // Docker: a manual stop of an `always` container holds only until the daemon restarts.
      rec.manuallyStopped = false;
      engine.scheduleRestart(rec, 0);
    }
  }
  // runc containers with no record are leftovers of a create that never finished.
  for (const [orphan, st] of states) await st.runtime.delete(orphan, true).catch(() => undefined);
}

/** Docker at daemon start: always and unless-stopped come back unless manually stopped; on-failure too. */
function applyBootPolicy(engine: RuncContainerEngine, rec: ContainerRecord, pending = false): void {
  const p = rec.options.restartPolicy?.name ?? 'no';
  if (p === 'no' || rec.manuallyStopped) {
    if (pending) {
      rec.state.status = 'exited';
      void engine.store.save(rec);
    }
    return;
  }
  if (p === 'on-failure' && rec.state.exitCode === 0 && !pending) return;
  engine.afterExit(rec);
}
