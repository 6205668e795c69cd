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
    const small = { cidrs: ['10.9.0.0/23'], subnetPrefixLength: 24 };
    expect(chooseSubnet({ pool: small, taken: ['10.9.0.0/24', '10.9.1.0/24'] })).toBeUndefined();
  });

  it('after a conflict spreads over the first free subnets instead of the first', () => {
    const taken = ['10.240.0.0/24'];
    const picks = [0, 0.5, 0.99].map((r) =>
      chooseSubnet({ pool, taken, spread: 4, random: () => r }),
    );
    expect(picks).toEqual(['10.240.1.0/24', '10.240.3.0/24', '10.240.4.0/24']);
  });

  it('hands out subnets of the pool mask length and sees requested subnets of other sizes', () => {
    const p26 = { cidrs: ['10.50.0.0/20'], subnetPrefixLength: 26 };
    expect(chooseSubnet({ pool: p26, taken: [] })).toBe('10.50.0.0/26');
    // A /24 someone requested covers the first four /26s.
    expect(chooseSubnet({ pool: p26, taken: ['10.50.0.0/24'] })).toBe('10.50.1.0/26');
    expect(chooseSubnet({ pool: p26, requested: '10.50.0.64/26', taken: ['10.50.0.0/24'] })).toBe(
      '10.50.1.0/26',
    );
    // 64 /26s in a /20; all taken = exhausted.
    const all = Array.from({ length: 64 }, (_, i) => `10.50.${i >> 2}.${(i & 3) * 64}/26`);
    expect(chooseSubnet({ pool: p26, taken: all })).toBeUndefined();
  });

  it('hands out the next pool once the pools before it are full, in the order given', () => {
    // Two /28 pools of /30s: four subnets each.
    const two = { cidrs: ['10.60.0.16/28', '10.60.1.0/28'], subnetPrefixLength: 30 };
    const first = ['10.60.0.16/30', '10.60.0.20/30', '10.60.0.24/30', '10.60.0.28/30'];
    expect(chooseSubnet({ pool: two, taken: first.slice(0, 3) })).toBe('10.60.0.28/30');
    expect(chooseSubnet({ pool: two, taken: first })).toBe('10.60.1.0/30');
    expect(chooseSubnet({ pool: two, taken: [...first, '10.60.1.0/30'] })).toBe('10.60.1.4/30');
    // A freed subnet of the first pool is handed out before the second pool's next one.
    expect(chooseSubnet({ pool: two, taken: [...first.slice(1), '10.60.1.0/30'] })).toBe(
      '10.60.0.16/30',
    );
    // The order is the pools', not the addresses'.
    const reversed = { ...two, cidrs: [...two.cidrs].reverse() };
    expect(chooseSubnet({ pool: reversed, taken: [] })).toBe('10.60.1.0/30');
    // A retry spreads over the free subnets of both when the first has few left.
    const picks = [0, 0.5, 0.99].map((r) =>
      chooseSubnet({ pool: two, taken: first.slice(0, 3), spread: 4, random: () => r }),
    );
    expect(picks).toEqual(['10.60.0.28/30', '10.60.1.4/30', '10.60.1.8/30']);
  });

  it('returns undefined only when every pool is exhausted', () => {
    const two = { cidrs: ['10.9.0.0/24', '10.8.0.0/24'], subnetPrefixLength: 25 };
    const taken = ['10.9.0.0/25', '10.9.0.128/25', '10.8.0.0/25'];
    expect(chooseSubnet({ pool: two, taken })).toBe('10.8.0.128/25');
    expect(chooseSubnet({ pool: two, taken: [...taken, '10.8.0.128/25'] })).toBeUndefined();
  });
});
