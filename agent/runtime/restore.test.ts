import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { ContainerRecord } from './container/record.js';
import { restoreContainers, type RestoreDeps } from './restore.js';
import type { RuncState } from './runc/runc.js';
import type { RestartPolicySpec } from './types.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flt-restore-'));
  mkdirSync(join(dir, 'exits'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(
  id: string,
  status: ContainerRecord['state']['status'],
  restartPolicy?: RestartPolicySpec['name'],
): ContainerRecord {
  return {
    id,
    name: id,
    options: {
      image: 'busybox',
      ...(restartPolicy ? { restartPolicy: { name: restartPolicy } } : {}),
    },
    state: {
      status,
      pid: 1,
      exitCode: 0,
      oomKilled: false,
      error: '',
      startedAt: '',
      finishedAt: '',
    },
    conmon: { pid: 1, startTime: '1' },
    restartCount: 0,
    manuallyStopped: false,
  } as ContainerRecord;
}

/** Restore over fakes: runc lists `states`, conmon is alive for the ids in `alive`. */
async function restore(records: ContainerRecord[], states: RuncState[], alive: string[] = []) {
  const calls: string[] = [];
  const runc = {
    deps: { root: join(dir, 'runc') },
    list: async () => states,
    kill: async (id: string, sig: string) => void calls.push(`kill ${id} ${sig}`),
    delete: async (id: string) => void calls.push(`delete ${id}`),
  };
  const deps = {
    store: { save: async (rec: ContainerRecord) => void calls.push(`save ${rec.id}`) },
    supervisor: {
      recordExit: async (rec: ContainerRecord, code: number) => {
        calls.push(`recordExit ${rec.id} ${code}`);
        rec.state.status = 'exited';
        rec.state.exitCode = code;
      },
      adopt: (rec: ContainerRecord) => void calls.push(`adopt ${rec.id}`),
      conmonAlive: (rec: ContainerRecord) => alive.includes(rec.id),
      afterExit: (rec: ContainerRecord) => void calls.push(`afterExit ${rec.id}`),
      scheduleRestart: (rec: ContainerRecord, ms: number) =>
        void calls.push(`scheduleRestart ${rec.id} ${ms}`),
    },
    host: {
      runc,
      crun: { ...runc, deps: { root: join(dir, 'crun-never-ran') } },
      paths: { exitDir: join(dir, 'exits') },
      persistDir: (id: string) => join(dir, 'persist', id),
      log: silentLogger(),
    },
  } as unknown as RestoreDeps;
  await restoreContainers(deps, records);
  return calls;
}

const running = (id: string): RuncState =>
  ({ id, status: 'running', pid: 1, bundle: '' }) as RuncState;

describe('restoreContainers', () => {
  it('records the code of a container that exited while the agent was down, then its policy', async () => {
    writeFileSync(join(dir, 'exits', 'a'), '3\n');
    const rec = record('a', 'running', 'on-failure');
    expect(await restore([rec], [])).toEqual(['recordExit a 3', 'afterExit a']);
  });

  it('takes the code from the persist dir when the exit file is missing', async () => {
    mkdirSync(join(dir, 'persist', 'a'), { recursive: true });
    writeFileSync(join(dir, 'persist', 'a', 'exit'), '0');
    // on-failure with a clean exit: nothing restarts.
    expect(await restore([record('a', 'running', 'on-failure')], [])).toEqual(['recordExit a 0']);
  });

  it('adopts a container still running under the conmon it started with', async () => {
    const rec = record('a', 'running');
    expect(await restore([rec], [running('a')], ['a'])).toEqual(['save a', 'adopt a']);
    expect(rec.state.status).toBe('running');
  });

  it('kills and settles a running container whose conmon is gone (exit code lost)', async () => {
    const rec = record('a', 'running', 'always');
    expect(await restore([rec], [running('a')])).toEqual([
      'kill a KILL',
      'recordExit a 255',
      'afterExit a',
    ]);
    expect(rec.state.error).toBe('conmon died; exit code unknown');
  });

  it('settles a container with no runtime state (host reboot) without killing anything', async () => {
    const rec = record('a', 'running');
    expect(await restore([rec], [])).toEqual(['recordExit a 255']);
    expect(rec.state.error).toBe('runtime state lost (host reboot?)');
  });

  it('deletes runc containers that have no record', async () => {
    expect(await restore([record('a', 'exited')], [running('orphan')])).toEqual(['delete orphan']);
  });

  it('brings back a manually stopped `always` container, as Docker does at daemon start', async () => {
    const rec = record('a', 'exited', 'always');
    rec.manuallyStopped = true;
    expect(await restore([rec], [])).toEqual(['scheduleRestart a 0']);
    expect(rec.manuallyStopped).toBe(false);
  });

  it('ends a pending restart of a container whose policy is no', async () => {
    const rec = record('a', 'restarting');
    expect(await restore([rec], [])).toEqual(['save a']);
    expect(rec.state.status).toBe('exited');
  });
});
