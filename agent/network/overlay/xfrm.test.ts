import { describe, expect, it } from 'vitest';
import { overlayDeviceNames, overlayLinkPattern, macFor } from './names.js';
import { keyFor, planXfrm, spiFor } from './xfrm.js';
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
