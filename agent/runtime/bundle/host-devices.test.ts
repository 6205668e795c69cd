import { describe, expect, it } from 'vitest';
import { hostDevices } from './host-devices.js';

describe('hostDevices', () => {
  it('lists /dev/null as char 1:3 with its mode, and skips /dev/pts and /dev/console', () => {
    const devs = hostDevices();
    expect(devs.find((d) => d.path === '/dev/null')).toEqual({
      path: '/dev/null',
      type: 'c',
      major: 1,
      minor: 3,
      fileMode: 0o666,
      uid: 0,
      gid: 0,
    });
    expect(devs.some((d) => d.path.startsWith('/dev/pts/'))).toBe(false);
    expect(devs.some((d) => d.path === '/dev/console')).toBe(false);
  });
});
