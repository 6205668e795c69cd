import { describe, expect, it } from 'vitest';
import { nodeSubnetClash, splitPeerRoutes } from './subnets.js';

describe('node subnet against the host routes', () => {
  const routes = [
    { dst: '0.0.0.0/0', dev: 'eth0', gateway: '192.0.2.1' },
    { dst: '192.0.2.0/24', dev: 'eth0' },
    { dst: '10.0.0.0/8', dev: 'tun0', gateway: '10.8.0.1' },
    { dst: '10.240.0.0/24', dev: 'f1230' },
    { dst: '10.240.1.0/24', dev: 'eth0', gateway: '192.0.2.7' },
    { dst: '10.240.2.5/32', dev: 'veth9' },
  ];

  it('refuses a subnet another bridge routes, naming it', () => {
    expect(nodeSubnetClash('10.240.0.0/24', 'flt0', routes)).toEqual(routes[3]);
  });

  it('accepts the subnet on its own bridge (a restart) and unrouted subnets', () => {
    expect(nodeSubnetClash('10.240.0.0/24', 'f1230', routes)).toBeUndefined();
    expect(nodeSubnetClash('10.240.9.0/24', 'flt0', routes)).toBeUndefined();
  });

  it('leaves the default route and wider routes through a gateway alone', () => {
    expect(nodeSubnetClash('10.250.0.0/24', 'flt0', routes)).toBeUndefined();
  });

  it('refuses routes inside the subnet, unless they are our own peer routes', () => {
    expect(nodeSubnetClash('10.240.2.0/24', 'flt0', routes)?.dev).toBe('veth9');
    expect(nodeSubnetClash('10.240.0.0/16', 'flt0', routes)?.dev).toBe('f1230');
    expect(nodeSubnetClash('10.240.1.0/24', 'flt0', routes, ['10.240.1.0/24'])).toBeUndefined();
  });

  it('refuses a subnet inside another interface’s connected network', () => {
    expect(nodeSubnetClash('192.0.2.0/25', 'flt0', routes)?.dev).toBe('eth0');
  });
});

describe('peer routes beside the node subnet', () => {
  const routes = [
    { subnet: '10.240.1.0/24', via: '192.0.2.7' },
    { subnet: '10.251.49.0/24', via: '192.0.2.2' },
    { subnet: '10.251.0.0/16', via: '192.0.2.9' },
  ];

  it('leaves out a peer route over this node’s own subnet', () => {
    expect(splitPeerRoutes('10.251.49.0/24', routes)).toEqual({
      routable: [routes[0]],
      overlapping: [routes[1], routes[2]],
    });
  });

  it('routes every peer whose subnet is apart from this node’s', () => {
    expect(splitPeerRoutes('10.240.0.0/24', routes)).toEqual({ routable: routes, overlapping: [] });
  });
});
