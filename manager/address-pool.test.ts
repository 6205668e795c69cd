import { describe, expect, it } from 'vitest';
import { addressPoolFromFlags } from './address-pool.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('addressPoolFromFlags', () => {
  it('takes the pool and mask length of --init, defaulting each', () => {
    expect(addressPoolFromFlags({ init: true })).toBeUndefined();
    expect(addressPoolFromFlags({ init: true, pools: [] })).toBeUndefined();
    expect(addressPoolFromFlags({ init: true, pools: '10.50.0.0/20', maskLength: '26' })).toEqual({
      cidrs: ['10.50.0.0/20'],
      subnetPrefixLength: 26,
    });
    expect(addressPoolFromFlags({ init: true, pools: ['10.128.0.0/9'] })).toEqual({
      cidrs: ['10.128.0.0/9'],
      subnetPrefixLength: 24,
    });
    expect(addressPoolFromFlags({ init: true, maskLength: 26 })).toEqual({
      cidrs: ['10.240.0.0/16'],
      subnetPrefixLength: 26,
    });
  });

  it('takes several pools in the order given, repeated or comma separated, one mask length', () => {
    expect(
      addressPoolFromFlags({
        init: true,
        pools: ['10.50.0.0/20', '192.168.0.0/16'],
        maskLength: 26,
      }),
    ).toEqual({ cidrs: ['10.50.0.0/20', '192.168.0.0/16'], subnetPrefixLength: 26 });
    expect(
      addressPoolFromFlags({ init: true, pools: ['10.1.0.0/16,10.3.0.0/16', ' 10.2.0.0/16 '] }),
    ).toEqual({ cidrs: ['10.1.0.0/16', '10.3.0.0/16', '10.2.0.0/16'], subnetPrefixLength: 24 });
  });

  it('refuses overlapping pools, naming both', () => {
    expect(
      message(() => addressPoolFromFlags({ init: true, pools: ['10.0.0.0/8', '10.50.0.0/16'] })),
    ).toBe(
      'invalid value "10.50.0.0/16" for flag --default-addr-pool: overlaps the pool 10.0.0.0/8: the pools must not share addresses',
    );
    expect(
      message(() =>
        addressPoolFromFlags({ init: true, pools: ['10.1.0.0/16', '10.2.0.0/16', '10.1.0.0/16'] }),
      ),
    ).toContain('"10.1.0.0/16" for flag --default-addr-pool: overlaps the pool 10.1.0.0/16');
  });

  it('refuses bad values naming the flag and the value', () => {
    const cases: [Parameters<typeof addressPoolFromFlags>[0], string][] = [
      [
        { init: true, pools: '10.50.0.0/20', maskLength: '19' },
        'invalid value "19" for flag --default-addr-pool-mask-length: must be at least the pool\'s prefix length 20',
      ],
      [
        { init: true, pools: '10.50.0.0/20', maskLength: '31' },
        'invalid value "31" for flag --default-addr-pool-mask-length: must be at most 30',
      ],
      [
        { init: true, maskLength: 'x' },
        'invalid value "x" for flag --default-addr-pool-mask-length: not a prefix length',
      ],
      [
        { init: true, pools: '10.50.1.0/20' },
        'invalid value "10.50.1.0/20" for flag --default-addr-pool: host bits set; did you mean 10.50.0.0/20?',
      ],
      [
        { init: true, pools: '10.300.0.0/16' },
        'invalid value "10.300.0.0/16" for flag --default-addr-pool: not an IPv4 CIDR',
      ],
      [{ init: true, pools: '10.0.0.0/4' }, 'the prefix must be /8 to /30'],
      [{ init: true, pools: '10.9.0.0/26' }, 'give --default-addr-pool-mask-length 26 to 30'],
      [
        { init: false, pools: '10.50.0.0/20' },
        'invalid value "10.50.0.0/20" for flag --default-addr-pool: only with --init',
      ],
    ];
    for (const [opts, want] of cases)
      expect(message(() => addressPoolFromFlags(opts))).toContain(want);
  });
});
