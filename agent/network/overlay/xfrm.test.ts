import { describe, expect, it } from 'vitest';
import { overlayDeviceNames, overlayLinkPattern, macFor } from './names.js';
import type { Exec } from './kernel.js';
import { keyFor, planXfrm, spiFor, XfrmProgrammer } from './xfrm.js';
import { vethPattern } from '../attachments.js';

const k = (fill: number, spi: number, generation: number) => ({
  key: Buffer.alloc(32, fill),
  spi,
  generation,
});

describe('ESP plan', () => {
  it('accepts every key from each peer and sends with the newest', () => {
    const plan = planXfrm('10.99.0.11', [
      { vni: 4097, keys: [k(2, 2, 2), k(1, 1, 1)], peers: ['10.99.0.12'] },
    ]);
    const inbound = plan.states.filter((s) => s.dst === '10.99.0.11');
    const outbound = plan.states.filter((s) => s.src === '10.99.0.11');
    expect(inbound).toHaveLength(2);
    expect(outbound).toHaveLength(1);
    expect(outbound[0].spi).toBe(spiFor(4097, 2, '10.99.0.11', '10.99.0.12'));
    expect(plan.out.get('10.99.0.12')).toBe(outbound[0].spi);
  });

  it('derives the same SA on both ends, and a different key for every SA', () => {
    const a = planXfrm('10.99.0.11', [{ vni: 4097, keys: [k(1, 1, 1)], peers: ['10.99.0.12'] }]);
    const b = planXfrm('10.99.0.12', [{ vni: 4097, keys: [k(1, 1, 1)], peers: ['10.99.0.11'] }]);
    const aOut = a.states.find((s) => s.src === '10.99.0.11')!;
    const bIn = b.states.find((s) => s.src === '10.99.0.11')!;
    expect(bIn).toEqual(aOut);
    const keys = new Set([...a.states, ...b.states].map((s) => s.keyHex));
    expect(keys.size).toBe(2);
    expect(aOut.keyHex).toHaveLength(72);
    expect(aOut.spi).toBeGreaterThanOrEqual(0x100);
    expect(keyFor(Buffer.alloc(32, 1), 4097, aOut.spi, '10.99.0.11', '10.99.0.12')).toBe(
      aOut.keyHex,
    );
  });

  it('sends to a peer shared by two networks with the lowest VNI', () => {
    const plan = planXfrm('10.99.0.11', [
      { vni: 5000, keys: [k(5, 5, 1)], peers: ['10.99.0.12'] },
      { vni: 4097, keys: [k(4, 4, 1)], peers: ['10.99.0.12'] },
    ]);
    expect(plan.out.get('10.99.0.12')).toBe(spiFor(4097, 4, '10.99.0.11', '10.99.0.12'));
    expect(plan.states.filter((s) => s.dst === '10.99.0.11')).toHaveLength(2);
  });
});

describe('overlay names', () => {
  it('derives device names that fit 15 characters and match no veth', () => {
    const n = overlayDeviceNames('fabc', 0xffffff);
    expect(n).toEqual({ bridge: 'fabcovffffff', vxlan: 'fabcvxffffff' });
    expect(overlayLinkPattern('fabc').test(n.vxlan)).toBe(true);
    expect(vethPattern('fabc').test(n.bridge)).toBe(false);
    expect(overlayLinkPattern('fabc').test('fabc0123456789')).toBe(false);
  });

  it("derives an endpoint's MAC from its address", () => {
    expect(macFor('10.0.9.254')).toBe('02:42:0a:00:09:fe');
  });
});

describe('XfrmProgrammer', () => {
  function recorder() {
    const calls: { args: string[]; input: string }[] = [];
    const exec: Exec = async (_cmd, args, opts) => {
      calls.push({ args, input: opts?.input ?? '' });
      return { code: 0, stdout: '', stderr: '' };
    };
    return { calls, exec };
  }
  const local = '10.99.0.11';
  const peer = '10.99.0.12';

  it('installs SAs before the policies that use them, with keys only on stdin', async () => {
    const { calls, exec } = recorder();
    const x = new XfrmProgrammer(exec, () => local, 70000);
    await x.apply(planXfrm(local, [{ vni: 4097, keys: [k(1, 1, 1)], peers: [peer] }]));
    const batch = calls.at(-1)!;
    expect(batch.args).toEqual(['-force', '-batch', '-']);
    const lines = batch.input.trim().split('\n');
    const firstPolicy = lines.findIndex((l) => l.startsWith('xfrm policy'));
    expect(lines.slice(0, firstPolicy).every((l) => l.startsWith('xfrm state'))).toBe(true);
    expect(
      lines.filter((l) => l.startsWith('xfrm policy update')).map((l) => l.match(/dir \w+/)?.[0]),
    ).toEqual(['dir out', 'dir in']);
    for (const c of calls) expect(c.args.join(' ')).not.toMatch(/0x[0-9a-f]{72}/);
    expect(batch.input).toMatch(/aead rfc4106\(gcm\(aes\)\) 0x[0-9a-f]{72} 128/);
  });

  it('rotates: adds the new key, moves the outbound policy, then deletes the old SAs', async () => {
    const { calls, exec } = recorder();
    const x = new XfrmProgrammer(exec, () => local, 70000);
    await x.apply(planXfrm(local, [{ vni: 4097, keys: [k(1, 1, 1)], peers: [peer] }]));
    await x.apply(planXfrm(local, [{ vni: 4097, keys: [k(1, 1, 1), k(2, 2, 2)], peers: [peer] }]));
    const both = calls.at(-1)!.input.trim().split('\n');
    expect(both.filter((l) => l.startsWith('xfrm state add'))).toHaveLength(2);
    const policy = both.findIndex((l) => l.startsWith('xfrm policy update'));
    expect(both[policy]).toContain(
      `spi 0x${spiFor(4097, 2, local, peer).toString(16).padStart(8, '0')}`,
    );
    // The old outbound SA goes once the policy sends with the new one; the old inbound one stays.
    const deleted = both.filter((l) => l.startsWith('xfrm state delete'));
    expect(deleted).toEqual([expect.stringContaining(`src ${local} dst ${peer}`)]);
    expect(both.indexOf(deleted[0])).toBeGreaterThan(policy);
    await x.apply(planXfrm(local, [{ vni: 4097, keys: [k(2, 2, 2)], peers: [peer] }]));
    const old = calls.at(-1)!.input.trim().split('\n');
    expect(old).toEqual([
      expect.stringMatching(new RegExp(`^xfrm state delete src ${peer} dst ${local}`)),
    ]);
    await x.clear();
    const last = calls.at(-1)!.input.trim().split('\n');
    expect(last.filter((l) => l.startsWith('xfrm policy delete'))).toHaveLength(2);
    expect(last.filter((l) => l.startsWith('xfrm state delete'))).toHaveLength(2);
  });
});
