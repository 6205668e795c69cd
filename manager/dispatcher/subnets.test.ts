import { describe, expect, it } from 'vitest';
import { chooseSubnet, defaultAddressPool } from './subnets.js';

const pool = defaultAddressPool;

describe('chooseSubnet', () => {
  it('hands out the first /24 of the pool no other node has', () => {
    expect(chooseSubnet({ pool, taken: [] })).toBe('10.240.0.0/24');
    expect(chooseSubnet({ pool, taken: ['10.240.0.0/24', '10.240.2.0/24'] })).toBe('10.240.1.0/24');
  });

  it('keeps the current subnet and records a requested one unless it clashes', () => {
    expect(chooseSubnet({ pool, current: '10.240.7.0/24', taken: ['10.240.0.0/24'] })).toBe(
      '10.240.7.0/24',
    );
    expect(chooseSubnet({ pool, requested: '192.168.5.0/24', taken: [] })).toBe('192.168.5.0/24');
    expect(
      chooseSubnet({
        pool,
        requested: '10.240.0.0/24',
        current: '10.240.3.0/24',
        taken: ['10.240.0.0/25'],
      }),
    ).toBe('10.240.3.0/24');
    expect(chooseSubnet({ pool, current: '10.240.0.0/24', taken: ['10.240.0.0/24'] })).toBe(
      '10.240.1.0/24',
    );
  });

  it('returns undefined when the pool is exhausted', () => {
    const small = { cidr: '10.9.0.0/23', subnetPrefixLength: 24 };
    expect(chooseSubnet({ pool: small, taken: ['10.9.0.0/24', '10.9.1.0/24'] })).toBeUndefined();
  });
});
