import { describe, expect, it } from 'vitest';
import { firstClusterNetwork } from './endpoints.js';
import type { EndpointRecord, NetworkRecord } from './state.js';

const net = (name: string, gateway: string, driver?: string): NetworkRecord =>
  ({
    id: name,
    name,
    subnet: '',
    gateway,
    bridge: '',
    createdAt: '',
    labels: {},
    driver,
  }) as NetworkRecord;

const endpoint = (...networks: string[]): EndpointRecord => ({
  containerId: 'c',
  name: 'c',
  hostname: 'c',
  mode: 'bridge',
  ports: [],
  interfaces: networks.map((network, i) => ({
    network,
    ifName: `eth${i}`,
    hostVeth: `v${i}`,
    ipv4: `10.0.${i}.2`,
    aliases: [],
  })),
});

describe('firstClusterNetwork', () => {
  const networks = [
    net('bridge', '10.240.0.1'),
    net('local', '10.241.0.1', 'bridge'),
    net('s_front', '10.0.1.1', 'overlay'),
    net('s_back', '10.0.2.1', 'overlay'),
  ];

  it("picks the first overlay interface's network: its gateway is the task's resolver", () => {
    expect(firstClusterNetwork(endpoint('bridge', 's_back', 's_front'), networks)?.gateway).toBe(
      '10.0.2.1',
    );
  });

  it('is undefined for a container on bridge networks only', () => {
    expect(firstClusterNetwork(endpoint('bridge', 'local'), networks)).toBeUndefined();
  });
});
