import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/log/index.js';
import type { IngressService } from '../../shared/model/index.js';
import { NodeNetworkSync, type NodeNetwork } from './node-network.js';

const web = (addrs: string[]): IngressService[] => [
  {
    serviceId: 's1',
    name: 'web',
    ports: [{ published: 8080, target: 80, protocol: 'tcp' }],
    addrs,
  },
];

/** A node network whose ingress applies finish when the test says so. */
function slowNetwork() {
  const applied: string[][] = [];
  let release: () => void = () => undefined;
  const network = {
    currentNodeSubnet: '10.240.0.0/24',
    defaultEndpointCount: () => 0,
    setNodeSubnet: async () => true,
    setPeerRoutes: async () => undefined,
    setIngress: (services: IngressService[]) => {
      applied.push(services.flatMap((s) => s.addrs));
      return new Promise<void>((r) => (release = r));
    },
  } as unknown as NodeNetwork;
  return { network, applied, release: () => release() };
}

describe('NodeNetworkSync ingress', () => {
  it('applies sets that arrive during an apply once, as the latest', async () => {
    const { network, applied, release } = slowNetwork();
    const sync = new NodeNetworkSync({ network, log: silentLogger() });
    const first = sync.applyIngress(web(['10.0.0.1']));
    await new Promise((r) => setImmediate(r));
    void sync.applyIngress(web(['10.0.0.2']));
    void sync.applyIngress(web(['10.0.0.3']));
    const last = sync.applyIngress(web(['10.0.0.4']));
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    release();
    await last;
    expect(applied).toEqual([['10.0.0.1'], ['10.0.0.4']]);
  });

  it('applies changes to the set last received', async () => {
    const { network, applied, release } = slowNetwork();
    const sync = new NodeNetworkSync({ network, log: silentLogger() });
    const done = sync.applyIngress(web(['10.0.0.1', '10.0.0.2']));
    await new Promise((r) => setImmediate(r));
    release();
    await done;
    const next = sync.applyIngressChanges([
      { serviceId: 's1', addedAddrs: ['10.0.0.3'], removedAddrs: ['10.0.0.1'] },
    ]);
    await new Promise((r) => setImmediate(r));
    release();
    await next;
    expect(sync.ingress).toEqual(web(['10.0.0.2', '10.0.0.3']));
    expect(applied.at(-1)).toEqual(['10.0.0.2', '10.0.0.3']);
  });
});
