import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/index.js';
import { StoreMaintenance, type MaintenanceTarget } from './maintenance.js';

/** An etcd whose revision, sizes and calls the test sets and reads. */
function fakeEtcd() {
  const calls: string[] = [];
  const state = { revision: 10, dbSize: 1000 * 2 ** 20, dbSizeInUse: 900 * 2 ** 20, compacted: 0 };
  const target: MaintenanceTarget = {
    status: async () => ({
      revision: state.revision,
      dbSize: state.dbSize,
      dbSizeInUse: state.dbSizeInUse,
    }),
    compact: async (revision) => {
      calls.push(`compact ${revision}`);
      if (revision <= state.compacted)
        throw new Error('mvcc: required revision has been compacted');
      state.compacted = revision;
    },
    defragment: async () => {
      calls.push('defragment');
      state.dbSize = state.dbSizeInUse;
    },
  };
  return { calls, state, target };
}

const log = createLogger({ proc: 'test', level: 'silent' });

describe('StoreMaintenance', () => {
  it('compacts to the revision the previous round saw, keeping one interval of history', async () => {
    const etcd = fakeEtcd();
    const m = new StoreMaintenance({ target: etcd.target, log, isLeader: () => true });
    expect(await m.round()).toEqual({});
    etcd.state.revision = 50;
    expect(await m.round()).toEqual({ compactedTo: 10 });
    etcd.state.revision = 90;
    expect((await m.round()).compactedTo).toBe(50);
    // Nothing written since: no second compaction to the same revision.
    expect((await m.round()).compactedTo).toBe(90);
    expect(await m.round()).toEqual({});
    expect(etcd.calls).toEqual(['compact 10', 'compact 50', 'compact 90']);
  });

  it('leaves compaction to the leader', async () => {
    const etcd = fakeEtcd();
    const m = new StoreMaintenance({ target: etcd.target, log, isLeader: () => false });
    await m.round();
    etcd.state.revision = 50;
    await m.round();
    expect(etcd.calls).toEqual([]);
  });

  it('takes a revision another manager already compacted as done', async () => {
    const etcd = fakeEtcd();
    etcd.state.compacted = 20;
    const m = new StoreMaintenance({ target: etcd.target, log, isLeader: () => true });
    await m.round();
    etcd.state.revision = 30;
    await expect(m.round()).resolves.toEqual({});
  });

  it('defragments when most of the file is free, not before', async () => {
    const etcd = fakeEtcd();
    const m = new StoreMaintenance({ target: etcd.target, log, isLeader: () => true });
    expect((await m.round()).defragmented).toBeUndefined(); // 10% free
    etcd.state.dbSizeInUse = 300 * 2 ** 20; // 700 MiB free of 1000
    expect((await m.round()).defragmented).toEqual({
      beforeBytes: 1000 * 2 ** 20,
      afterBytes: 300 * 2 ** 20,
    });
    // A small file mostly free is not worth blocking the member for.
    etcd.state.dbSize = 400 * 2 ** 20;
    etcd.state.dbSizeInUse = 2 ** 20;
    expect((await m.round()).defragmented).toBeUndefined();
  });

  it('runs one round per interval, never two at once', async () => {
    const etcd = fakeEtcd();
    let tick: (() => void) | undefined;
    const timers = {
      setInterval: ((fn: () => void) => ((tick = fn), { unref() {} })) as never,
      clearInterval: (() => (tick = undefined)) as never,
    };
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    let statusCalls = 0;
    const target = {
      ...etcd.target,
      status: async () => {
        statusCalls++;
        await blocked;
        return etcd.target.status();
      },
    };
    const m = new StoreMaintenance({ target, log, isLeader: () => true, timers });
    await m.start();
    tick!();
    tick!();
    expect(statusCalls).toBe(1);
    release();
    await m.stop();
    expect(tick).toBeUndefined();
  });
});
