import { describe, expect, it } from 'vitest';
import type { ContainerSpec } from '../../shared/model/index.js';
import { runtimeCreateOptions } from './runtime-options.js';

describe('task runtime options → engine create options', () => {
  it('turns Swarm host lines into host:ip entries and DNSConfig into the --dns trio', () => {
    const c: ContainerSpec = {
      image: 'busybox',
      env: [],
      labels: {},
      mounts: [],
      hosts: ['10.0.0.9 db db-alias', 'host-gateway gw'],
      dnsConfig: { nameservers: ['10.0.0.53'], search: ['a.example'], options: ['ndots:2'] },
      sysctls: { 'net.core.somaxconn': '512' },
      ulimits: [{ name: 'nofile', soft: 1, hard: 2 }],
      capabilityAdd: ['CAP_NET_ADMIN'],
      capabilityDrop: ['CAP_CHOWN'],
      groups: ['audio'],
      tty: true,
      openStdin: true,
    };
    expect(runtimeCreateOptions(c)).toEqual({
      extraHosts: ['db:10.0.0.9', 'db-alias:10.0.0.9', 'gw:host-gateway'],
      dns: ['10.0.0.53'],
      dnsSearch: ['a.example'],
      dnsOptions: ['ndots:2'],
      sysctls: { 'net.core.somaxconn': '512' },
      ulimits: [{ name: 'nofile', soft: 1, hard: 2 }],
      capAdd: ['CAP_NET_ADMIN'],
      capDrop: ['CAP_CHOWN'],
      groupAdd: ['audio'],
      tty: true,
      openStdin: true,
    });
  });

  it('sets nothing for a spec without runtime options', () => {
    expect(runtimeCreateOptions({ image: 'b', env: [], labels: {}, mounts: [] })).toEqual({});
  });
});
