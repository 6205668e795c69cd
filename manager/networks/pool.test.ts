import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../shared/model/index.js';
import { allocateNetwork } from './pool.js';
import { networkSpecOf } from './create.js';

const spec = (o: Partial<NetworkSpec> = {}): NetworkSpec => ({
  ...networkSpecOf({ name: 'n' }),
  ...o,
});
const none = () => false;

describe('allocateNetwork', () => {
  it('takes the first free /24 of 10.10.0.0/16, its first address as gateway, VNIs from 4096', () => {
    const a = allocateNetwork(
      spec(),
      [{ subnet: '10.10.0.0/24', holder: 'network a' }],
      (v) => v === 4096,
    );
    expect(a).toEqual({ subnet: '10.10.1.0/24', gateway: '10.10.1.1', vni: 4097 });
  });

  it('never hands out a subnet overlapping the node-subnet pools', () => {
    const a = allocateNetwork(spec(), [], none, ['10.10.0.0/23', '10.241.0.0/16']);
    expect(a.subnet).toBe('10.10.2.0/24');
  });

  it('checks a requested subnet and gateway, naming what is wrong', () => {
    const taken = [{ subnet: '10.50.0.0/16', holder: 'network big' }];
    expect(() => allocateNetwork(spec({ ipam: { subnet: '10.50.3.0/24' } }), taken, none)).toThrow(
      'subnet 10.50.3.0/24 overlaps network big',
    );
    expect(() => allocateNetwork(spec({ ipam: { subnet: '10.240.9.0/24' } }), [], none)).toThrow(
      'overlaps 10.240.0.0/16',
    );
    expect(() => allocateNetwork(spec({ ipam: { subnet: '10.60.0.1/24' } }), [], none)).toThrow(
      /host bits set; did you mean 10\.60\.0\.0\/24/,
    );
    expect(() =>
      allocateNetwork(spec({ ipam: { subnet: '10.60.0.0/24', gateway: '10.60.0.255' } }), [], none),
    ).toThrow(/invalid gateway "10\.60\.0\.255": not a host address of 10\.60\.0\.0\/24/);
    expect(() => allocateNetwork(spec({ ipam: { gateway: '10.60.0.9' } }), [], none)).toThrow(
      /--gateway needs --subnet/,
    );
    expect(
      allocateNetwork(spec({ ipam: { subnet: '10.60.0.0/24', gateway: '10.60.0.254' } }), [], none),
    ).toMatchObject({
      subnet: '10.60.0.0/24',
      gateway: '10.60.0.254',
    });
  });

  it('says when the pool is full', () => {
    const taken = Array.from({ length: 256 }, (_, i) => ({
      subnet: `10.10.${i}.0/24`,
      holder: 'x',
    }));
    expect(() => allocateNetwork(spec(), taken, none)).toThrow(
      'no free /24 subnet left in the pool 10.10.0.0/16',
    );
  });
});

describe('networkSpecOf', () => {
  it('takes encrypted and refuses other options, drivers and names by name', () => {
    expect(networkSpecOf({ name: 'a', options: { encrypted: '' } })).toMatchObject({
      encrypted: true,
      driverOpts: { encrypted: '' },
    });
    expect(() => networkSpecOf({ name: 'a', options: { mtu: '1400' } })).toThrow(
      'unknown network option mtu',
    );
    expect(() => networkSpecOf({ name: 'a', driver: 'bridge' })).toThrow(
      /driver bridge is not supported/,
    );
    expect(() => networkSpecOf({ name: '-a' })).toThrow('invalid network name "-a"');
    expect(() => networkSpecOf({ name: 'host' })).toThrow(/pre-defined/);
  });
});
