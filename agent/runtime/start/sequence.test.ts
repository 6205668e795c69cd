import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import type { ContainerRecord } from '../container/record.js';
import type { RuntimeContext } from '../context.js';
import type { StartStep } from './run.js';
import { StartSequence } from './sequence.js';

function record(status: ContainerRecord['state']['status']): ContainerRecord {
  return {
    id: 'c1'.padEnd(64, '0'),
    name: 'web',
    state: {
      status,
      pid: 0,
      exitCode: 0,
      oomKilled: false,
      error: '',
      startedAt: '',
      finishedAt: '',
    },
  } as ContainerRecord;
}

function harness(steps: StartStep[]) {
  const calls: string[] = [];
  const saved: ContainerRecord['state'][] = [];
  const ctx = {
    bundleDir: (id: string) => `/b/${id.slice(0, 16)}`,
    persistDir: (id: string) => `/p/${id.slice(0, 16)}`,
    log: silentLogger(),
    store: {
      save: async (rec: ContainerRecord) => {
        saved.push({ ...rec.state });
      },
    },
  } as unknown as Pick<RuntimeContext, 'bundleDir' | 'persistDir' | 'log' | 'store'>;
  const sequence = new StartSequence({
    ctx,
    attach: { failPending: (id) => calls.push(`failPending ${id.slice(0, 2)}`) },
    supervisor: { beforeStart: () => calls.push('beforeStart') },
    steps,
  });
  return { sequence, calls, saved };
}

/** A step that records itself and registers an undo that records itself too. */
const step = (phase: string, log: string[]): StartStep => ({
  phase,
  async run(r) {
    log.push(phase);
    r.cleanup.push(async () => log.push(`undo ${phase}`));
  },
});

describe('StartSequence', () => {
  it('runs the phases in order with the run directories of the container', async () => {
    const log: string[] = [];
    const seen: string[] = [];
    const { sequence, calls } = harness([
      step('prepareDirs', log),
      {
        phase: 'bundle',
        async run(r) {
          seen.push(r.bundle, r.persist, String(r.restarting));
        },
      },
      step('start', log),
    ]);
    await sequence.run(record('created'), true);
    expect(calls).toEqual(['beforeStart']);
    expect(log).toEqual(['prepareDirs', 'start']);
    expect(seen).toEqual(['/b/c100000000000000', '/p/c100000000000000', 'true']);
  });

  it('undoes the finished phases newest first when one fails, and fails waiting attachers', async () => {
    const log: string[] = [];
    const failure = new Error('no such device');
    let failedEarly: unknown;
    const { sequence, calls, saved } = harness([
      {
        phase: 'prepareDirs',
        async run(r) {
          log.push('prepareDirs');
          r.cleanup.push(async () => log.push('undo prepareDirs'));
          r.early = { connect: async () => undefined, fail: (err) => (failedEarly = err) };
        },
      },
      step('rootfs', log),
      {
        phase: 'network',
        async run() {
          throw failure;
        },
      },
      step('bundle', log),
    ]);
    const rec = record('created');
    const err = await sequence.run(rec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('CONTAINER_START_FAILED');
    expect(log).toEqual(['prepareDirs', 'rootfs', 'undo rootfs', 'undo prepareDirs']);
    expect(failedEarly).toBe(failure);
    expect(calls).toEqual(['beforeStart', 'failPending c1']);
    // A created container stays created, with Docker's 125 for a start that failed.
    expect(saved.at(-1)).toMatchObject({ status: 'created', exitCode: 125 });
    expect(saved.at(-1)?.error).toContain('no such device');
  });

  it('records an exited container that fails to start as exited, with the error its own code', async () => {
    const notFound = new FlotillaError(
      'CONTAINER_START_FAILED',
      { id: 'web', reason: 'x' },
      { exitCode: 127 },
    );
    const { sequence, saved } = harness([
      {
        phase: 'create',
        async run() {
          throw notFound;
        },
      },
    ]);
    await expect(sequence.run(record('exited'))).rejects.toBe(notFound);
    expect(saved.at(-1)).toMatchObject({ status: 'exited', exitCode: 127 });
  });

  it('leaves a running container alone and refuses a paused one', async () => {
    const log: string[] = [];
    const { sequence, calls } = harness([step('prepareDirs', log)]);
    await sequence.run(record('running'));
    await expect(sequence.run(record('paused'))).rejects.toMatchObject({
      code: 'CONTAINER_PAUSED',
    });
    expect(log).toEqual([]);
    expect(calls).toEqual([]);
  });
});
