import { describe, expect, it } from 'vitest';
import { toCreateOptions } from './options.js';

describe('run runtime flags', () => {
  it('turns --add-host, --dns*, --sysctl, --group-add, --ulimit into create options', () => {
    const o = toCreateOptions('busybox', [], {
      addHost: ['db:10.0.0.9', 'gw:host-gateway', 'six:[::1]'],
      dns: ['1.1.1.1'],
      dnsSearch: ['corp.example', '.'],
      dnsOption: ['ndots:1'],
      sysctl: ['net.ipv4.ip_forward=1', 'kernel.shmmax=1000000'],
      groupAdd: ['audio', '4242'],
      ulimit: ['nofile=10:20'],
    });
    expect(o).toMatchObject({
      extraHosts: ['db:10.0.0.9', 'gw:host-gateway', 'six:::1'],
      dns: ['1.1.1.1'],
      dnsSearch: ['corp.example', '.'],
      dnsOptions: ['ndots:1'],
      sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000000' },
      groupAdd: ['audio', '4242'],
      ulimits: [{ name: 'nofile', soft: 10, hard: 20 }],
    });
  });

  it.each([
    ['addHost', 'db', '--add-host'],
    ['addHost', 'db:not-an-ip', '--add-host'],
    ['dns', 'x', '--dns'],
    ['dnsSearch', 'bad domain', '--dns-search'],
    ['sysctl', 'vm.overcommit_memory=1', '--sysctl'],
    ['groupAdd', 'g:x', '--group-add'],
    ['ulimit', 'nofile', '--ulimit'],
  ])('refuses --%s %s as a flag error naming the flag', (key, value, flag) => {
    let err: unknown;
    try {
      toCreateOptions('busybox', [], { [key]: [value] });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_FLAG_VALUE' });
    expect((err as Error).message).toBe(
      `invalid value "${value}" for flag ${flag}: ${(err as { params: { reason: string } }).params.reason}`,
    );
  });
});
