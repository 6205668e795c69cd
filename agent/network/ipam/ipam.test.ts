import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ipam } from './ipam.js';

describe('Ipam', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flt-ipam-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands out .2 upward round-robin and does not reuse a freed address at once', async () => {
    const ipam = new Ipam({ dir });
    expect(await ipam.allocate('bridge', '10.9.0.0/29', 'a')).toBe('10.9.0.2');
    expect(await ipam.allocate('bridge', '10.9.0.0/29', 'b')).toBe('10.9.0.3');
    await ipam.release('bridge', '10.9.0.2');
    expect(await ipam.allocate('bridge', '10.9.0.0/29', 'c')).toBe('10.9.0.4');
  });

  it('wraps around, skips taken addresses and refuses when full', async () => {
    const ipam = new Ipam({ dir });
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await ipam.allocate('n', '10.9.0.0/29', `c${i}`));
    expect(got).toEqual(['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
    await expect(ipam.allocate('n', '10.9.0.0/29', 'x')).rejects.toThrow(/no free address/);
    await ipam.release('n', '10.9.0.4');
    expect(await ipam.allocate('n', '10.9.0.0/29', 'x')).toBe('10.9.0.4');
  });

  it('persists across instances and never gives one address twice when called concurrently', async () => {
    const ipam = new Ipam({ dir });
    const ips = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ipam.allocate('n', '10.9.0.0/24', `c${i}`)),
    );
    expect(new Set(ips).size).toBe(20);
    const again = new Ipam({ dir });
    expect((await again.allocations()).length).toBe(20);
    const dropped = await again.retain((_n, _ip, owner) => owner !== 'c3');
    expect(dropped).toEqual(['n/10.9.0.5']);
    expect(await again.allocate('n', '10.9.0.0/24', 'd')).toBe('10.9.0.22');
  });
});
