import { describe, expect, it } from 'vitest';
import { applyUpdate, runcUpdateArgs } from './update.js';

const mb = 1024 * 1024;
const base = { image: 'busybox' };

describe('applyUpdate', () => {
  it('gives a container without a limit twice the memory as swap, as at create', () => {
    const next = applyUpdate('c', base, { memoryBytes: 64 * mb });
    expect(next.memoryBytes).toBe(64 * mb);
    expect(runcUpdateArgs(next, { memoryBytes: 64 * mb })).toEqual([
      `--memory=${64 * mb}`,
      `--memory-swap=${128 * mb}`,
    ]);
  });

  it("keeps the swap in force and refuses memory above it with Docker's message", () => {
    const cur = { ...base, memoryBytes: 64 * mb };
    expect(applyUpdate('c', cur, { memoryBytes: 100 * mb }).memorySwapBytes).toBe(128 * mb);
    expect(() => applyUpdate('c', cur, { memoryBytes: 200 * mb })).toThrow(
      'Cannot update container c: Memory limit should be smaller than already set memoryswap limit',
    );
    const both = applyUpdate('c', cur, { memoryBytes: 200 * mb, memorySwapBytes: 400 * mb });
    expect([both.memoryBytes, both.memorySwapBytes]).toEqual([200 * mb, 400 * mb]);
    // Unlimited swap stays unlimited.
    const unlimited = { ...cur, memorySwapBytes: -1 };
    expect(applyUpdate('c', unlimited, { memoryBytes: 1024 * mb }).memorySwapBytes).toBe(-1);
  });

  it('refuses swap without memory, too little memory and swap below memory', () => {
    expect(() => applyUpdate('c', base, { memorySwapBytes: 64 * mb })).toThrow(
      'You must set memory limit before setting memoryswap limit',
    );
    expect(() => applyUpdate('c', base, { memoryBytes: 1024 })).toThrow('6MB');
    expect(() =>
      applyUpdate('c', base, { memoryBytes: 64 * mb, memorySwapBytes: 32 * mb }),
    ).toThrow('must be at least --memory');
  });

  it('sets cpus, shares and pids (0 or -1: unlimited) and writes only what changed', () => {
    const next = applyUpdate('c', { ...base, pidsLimit: 10 }, { nanoCpus: 5e8, pidsLimit: -1 });
    expect([next.nanoCpus, next.pidsLimit]).toEqual([5e8, undefined]);
    expect(runcUpdateArgs(next, { nanoCpus: 5e8, pidsLimit: -1 })).toEqual([
      '--cpu-period=100000',
      '--cpu-quota=50000',
      '--pids-limit=-1',
    ]);
    expect(runcUpdateArgs(next, { restartPolicy: { name: 'always' } })).toEqual([]);
  });

  it('refuses a restart policy for an auto-removed container, as Docker', () => {
    expect(() =>
      applyUpdate('c', { ...base, autoRemove: true }, { restartPolicy: { name: 'always' } }),
    ).toThrow('Restart policy cannot be updated because AutoRemove is enabled for the container');
    expect(
      applyUpdate('c', base, { restartPolicy: { name: 'on-failure', maxRetries: 3 } })
        .restartPolicy,
    ).toEqual({ name: 'on-failure', maxRetries: 3 });
  });
});
