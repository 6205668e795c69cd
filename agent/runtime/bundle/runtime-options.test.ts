import { describe, expect, it } from 'vitest';
import { hostsFile, resolvConfFrom } from './files.js';
import { mergeConfig } from './merge.js';
import {
  containerSysctls,
  groupIds,
  resolveExtraHosts,
  validateRuntimeOptions,
} from './runtime-options.js';
import { buildSpec } from './spec.js';
import type { ContainerCreateOptions } from '../types.js';

const hostResolv = 'nameserver 192.168.1.1\nsearch lan\noptions ndots:1\n';

describe('resolv.conf and hosts', () => {
  it('replaces the nameservers, search domains and options when given', () => {
    expect(
      resolvConfFrom(hostResolv, ['10.0.0.53'], { search: ['a.example'], options: ['rotate'] }),
    ).toBe('nameserver 10.0.0.53\nsearch a.example\noptions rotate\n');
  });

  it('keeps the host search and options when none are given, and drops them for search "."', () => {
    expect(resolvConfFrom(hostResolv)).toBe(hostResolv);
    expect(resolvConfFrom(hostResolv, [], { search: ['.'] })).toBe(
      'nameserver 192.168.1.1\noptions ndots:1\n',
    );
  });

  it('writes extra hosts after the container’s own line', () => {
    const text = hostsFile('web', '10.1.0.2', [], ['db:10.0.0.9', 'six:::1']);
    expect(text.split('\n').slice(-3)).toEqual(['10.0.0.9\tdb', '::1\tsix', '']);
  });

  it('resolves host-gateway to the container’s gateway, 127.0.0.1 on the host network', () => {
    expect(resolveExtraHosts(['gw:host-gateway', 'x:1.2.3.4'], '10.1.0.1', 'bridge')).toEqual([
      'gw:10.1.0.1',
      'x:1.2.3.4',
    ]);
    expect(resolveExtraHosts(['gw:host-gateway'], undefined, 'host')).toEqual(['gw:127.0.0.1']);
    expect(() => resolveExtraHosts(['gw:host-gateway'], undefined, 'none')).toThrow(
      /host-gateway needs a network with a gateway/,
    );
  });
});

describe('sysctls and groups', () => {
  it('adds the user’s sysctls to the network defaults of an own namespace', () => {
    const o = { image: 'i', sysctls: { 'net.core.somaxconn': '512', 'kernel.shmmax': '1' } };
    expect(containerSysctls(o, true)).toMatchObject({
      'net.ipv4.ip_unprivileged_port_start': '0',
      'net.core.somaxconn': '512',
      'kernel.shmmax': '1',
    });
    expect(containerSysctls({ image: 'i' }, false)).toBeUndefined();
  });

  it('puts them into linux.sysctl of the OCI spec', () => {
    const opts: ContainerCreateOptions = {
      image: 'i',
      cmd: ['sh'],
      sysctls: { 'net.ipv4.ip_forward': '1' },
    };
    const spec = buildSpec({
      id: 'x',
      config: mergeConfig('i', {}, opts, 'x'),
      opts,
      user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
      rootfs: '/r',
      netnsPath: '/run/netns/x',
      files: { hosts: '/h', hostname: '/hn', resolvConf: '/rc' },
      binds: [{ source: '/a', destination: '/b', readOnly: false, propagation: 'rslave' }],
    }) as {
      linux: { sysctl: Record<string, string> };
      mounts: { destination: string; options: string[] }[];
    };
    expect(spec.linux.sysctl['net.ipv4.ip_forward']).toBe('1');
    expect(spec.mounts.find((m) => m.destination === '/b')!.options).toEqual([
      'rbind',
      'rslave',
      'rw',
    ]);
  });

  it.each([
    [{ sysctls: { 'kernel.domainname': 'x' } }, /not a namespaced sysctl/],
    [{ sysctls: { 'net.ipv4.ip_forward': '1' }, network: 'host' }, /own network namespace/],
    [{ extraHosts: ['nohost'] }, /--add-host "nohost"/],
    [{ dns: ['x'] }, /--dns "x": not an IP address/],
    [{ groupAdd: ['a b'] }, /--group-add/],
    [{ ulimits: [{ name: 'nofile', soft: 2, hard: 1 }] }, /soft limit exceeds/],
  ])('refuses %o at create', (o, msg) => {
    expect(() => validateRuntimeOptions({ image: 'i', ...o })).toThrow(msg);
  });

  it('maps group names from the image’s /etc/group, numbers as they are', () => {
    expect(groupIds(['audio', '4242'], ['root:x:0:', 'audio:x:29:'])).toEqual([29, 4242]);
    expect(() => groupIds(['nope'], ['root:x:0:'])).toThrow(/unable to find group nope/);
  });
});
