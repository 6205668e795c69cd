import { describe, expect, it } from 'vitest';
import { joinHostPort, splitHostPort } from './host-port.js';

describe('splitHostPort', () => {
  it('splits host:port', () => {
    expect(splitHostPort('10.0.0.1:4242')).toEqual(['10.0.0.1', 4242]);
    expect(splitHostPort('node-1:4243')).toEqual(['node-1', 4243]);
  });

  it('takes IPv6 in brackets and drops them', () => {
    expect(splitHostPort('[fd00::1]:4242')).toEqual(['fd00::1', 4242]);
    expect(splitHostPort('[::]:0')).toEqual(['::', 0]);
  });

  // manager/config.ts's copy read "fd00::1" as host "fd00:" and port 1; the CLI client, the log
  // forwarder and the DNS forwarder kept the brackets, which https.request and dgram cannot resolve.
  it('reads a bare IPv6 address as a host, with the default port', () => {
    expect(splitHostPort('fd00::1', { defaultPort: 4242 })).toEqual(['fd00::1', 4242]);
    expect(splitHostPort('[fd00::1]', { defaultPort: 53 })).toEqual(['fd00::1', 53]);
  });

  it('refuses an IPv6 address with a port but no brackets', () => {
    expect(() => splitHostPort('fd00::1::80x')).toThrow(/needs brackets/);
  });

  it('uses the defaults for a missing host or port', () => {
    expect(splitHostPort(':4243', { defaultHost: '0.0.0.0' })).toEqual(['0.0.0.0', 4243]);
    expect(splitHostPort(':4243')).toEqual(['', 4243]);
    expect(splitHostPort('manager-1', { defaultPort: 4242 })).toEqual(['manager-1', 4242]);
  });

  // The copies accepted "host:abc" (port NaN) or "host:99999" and failed later, far from the flag.
  it('refuses a missing or bad port, naming the address', () => {
    expect(() => splitHostPort('manager-1')).toThrow('address "manager-1": needs a port');
    expect(() => splitHostPort('host:abc')).toThrow('bad port "abc"');
    expect(() => splitHostPort('host:99999')).toThrow('bad port "99999"');
    expect(() => splitHostPort('host:')).toThrow('bad port ""');
    expect(() => splitHostPort('[fd00::1')).toThrow('missing "]"');
    expect(() => splitHostPort('[fd00::1]x')).toThrow('expected ":PORT"');
    expect(() => splitHostPort('[node]:1')).toThrow('is not an IPv6 address');
  });
});

describe('joinHostPort', () => {
  it('brackets IPv6 hosts only', () => {
    expect(joinHostPort('10.0.0.1', 4242)).toBe('10.0.0.1:4242');
    expect(joinHostPort('fd00::1', 4242)).toBe('[fd00::1]:4242');
    expect(splitHostPort(joinHostPort('fd00::1', 80))).toEqual(['fd00::1', 80]);
  });
});
