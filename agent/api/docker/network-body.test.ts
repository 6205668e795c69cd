import { describe, expect, it } from 'vitest';
import { createOptions } from './create-body.js';
import { createNetworkOptions } from './network-body.js';

describe('Docker network and create bodies', () => {
  it('maps NetworkCreate and refuses by name what a local bridge cannot do', () => {
    expect(
      createNetworkOptions({
        Name: 'n',
        Driver: 'bridge',
        Attachable: true,
        Labels: { a: 'b' },
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }] },
        Options: {},
        Internal: false,
      }),
    ).toEqual({ name: 'n', subnet: '10.9.0.0/24', labels: { a: 'b' }, attachable: true });
    expect(() => createNetworkOptions({ Name: 'n', Internal: true })).toThrow(/Internal/);
    expect(() => createNetworkOptions({ Name: 'n', Options: { 'x.y': '1' } })).toThrow(
      /Options x\.y/,
    );
    expect(() =>
      createNetworkOptions({ IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.5' }] } }),
    ).toThrow(/first address, 10\.9\.0\.1/);
    expect(() => createNetworkOptions({ IPAM: { Config: [{ IPRange: '10.9.0.0/25' }] } })).toThrow(
      /IPAM\.Config\[0\]\.IPRange/,
    );
  });

  it('takes several EndpointsConfig entries and the runtime create fields', () => {
    const o = createOptions({
      Image: 'busybox',
      HostConfig: {
        NetworkMode: 'a',
        Dns: ['1.2.3.4'],
        DnsSearch: ['example.com'],
        DnsOptions: ['ndots:2'],
        ExtraHosts: ['db:10.0.0.5', 'gw:host-gateway'],
        Sysctls: { 'net.ipv4.ip_forward': '1' },
        GroupAdd: ['1234'],
      },
      NetworkingConfig: {
        EndpointsConfig: {
          a: { Aliases: ['x'] },
          b: { Aliases: ['y'], IPAMConfig: { IPv4Address: '10.9.0.7' } },
        },
      },
    });
    expect(o).toMatchObject({
      network: 'a',
      networkAliases: ['x'],
      extraNetworks: [{ network: 'b', aliases: ['y'], ipv4Address: '10.9.0.7' }],
      dns: ['1.2.3.4'],
      dnsSearch: ['example.com'],
      dnsOptions: ['ndots:2'],
      extraHosts: ['db:10.0.0.5', 'gw:host-gateway'],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      groupAdd: ['1234'],
    });
    expect(() =>
      createOptions({ Image: 'b', HostConfig: { Sysctls: { 'kernel.hostname': 'x' } } }),
    ).toThrow(/HostConfig\.Sysctls.*not a namespaced sysctl/);
    expect(() => createOptions({ Image: 'b', HostConfig: { Dns: ['nope'] } })).toThrow(
      /HostConfig\.Dns/,
    );
    expect(() =>
      createOptions({
        Image: 'b',
        HostConfig: { NetworkMode: 'a' },
        NetworkingConfig: { EndpointsConfig: { b: {} } },
      }),
    ).toThrow(/does not match HostConfig.NetworkMode a/);
  });
});
