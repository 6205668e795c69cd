import { describe, expect, it } from 'vitest';
import { formatSubnet, gatewayOf, intToIp, ipToInt, overlaps, parseSubnet } from './cidr.js';

describe('cidr', () => {
  it('round-trips addresses and subnets', () => {
    expect(intToIp(ipToInt('10.240.3.7')!)).toBe('10.240.3.7');
    expect(formatSubnet(parseSubnet('10.240.3.0/24'))).toBe('10.240.3.0/24');
    expect(gatewayOf(parseSubnet('10.240.3.0/24'))).toBe('10.240.3.1');
    expect(ipToInt('10.1.2')).toBeUndefined();
    expect(ipToInt('10.1.2.256')).toBeUndefined();
  });

  it('rejects host bits and silly prefixes naming the value', () => {
    expect(() => parseSubnet('10.240.3.5/24')).toThrow(/10.240.3.5\/24.*10.240.3.0\/24/);
    expect(() => parseSubnet('10.0.0.0/31')).toThrow(/prefix/);
    expect(() => parseSubnet('nope')).toThrow(/"nope"/);
  });

  it('detects overlap in either direction', () => {
    expect(overlaps(parseSubnet('10.240.0.0/16'), parseSubnet('10.240.9.0/24'))).toBe(true);
    expect(overlaps(parseSubnet('10.240.9.0/24'), parseSubnet('10.240.0.0/16'))).toBe(true);
    expect(overlaps(parseSubnet('10.240.9.0/24'), parseSubnet('10.240.10.0/24'))).toBe(false);
  });
});
