// A small overlay state for unit tests: network net1 (front, back with aliases, rr in dnsrr mode,
// idle with no task) and net2 (lonely), and one local container on each.
import { MemoryOverlayState } from './memory-state.js';

export const N1 = 'net1';
export const N2 = 'net2';

export function fixtureView(): MemoryOverlayState {
  const v = new MemoryOverlayState();
  const ep = (address: string, serviceId: string, name: string, serving = true) => ({
    address,
    nodeId: 'node-a',
    taskId: `t-${name}`,
    serviceId,
    names: [name],
    serving,
  });
  v.applyNetworks([
    {
      networkId: N1,
      name: 's_front-net',
      subnet: '10.50.0.0/24',
      gateway: '10.50.0.1',
      endpoints: [
        ep('10.50.0.10', 'svc-front', 's_front.1.aaa'),
        ep('10.50.0.21', 'svc-back', 's_back.1.b1'),
        ep('10.50.0.22', 'svc-back', 's_back.2.b2'),
        ep('10.50.0.23', 'svc-back', 's_back.3.b3', false),
        ep('10.50.0.31', 'svc-rr', 's_rr.1.r1'),
        ep('10.50.0.32', 'svc-rr', 's_rr.2.r2'),
      ],
      services: [
        {
          serviceId: 'svc-front',
          name: 's_front',
          aliases: ['front'],
          endpointMode: 'vip',
          vip: '10.50.0.2',
        },
        {
          serviceId: 'svc-back',
          name: 's_back',
          aliases: ['back', 'backend'],
          endpointMode: 'vip',
          vip: '10.50.0.3',
        },
        { serviceId: 'svc-rr', name: 's_rr', aliases: ['rr'], endpointMode: 'dnsrr', vip: '' },
        {
          serviceId: 'svc-idle',
          name: 's_idle',
          aliases: ['idle'],
          endpointMode: 'vip',
          vip: '10.50.0.4',
        },
      ],
    },
    {
      networkId: N2,
      name: 's_other',
      subnet: '10.51.0.0/24',
      gateway: '10.51.0.1',
      endpoints: [ep('10.51.0.10', 'svc-lonely', 's_lonely.1.l1')],
      services: [
        {
          serviceId: 'svc-lonely',
          name: 's_lonely',
          aliases: ['lonely'],
          endpointMode: 'vip',
          vip: '10.51.0.2',
        },
      ],
    },
  ]);
  v.setContainer({
    containerId: 'front-ctr',
    netnsPath: '/run/netns/front',
    interfaces: [{ networkId: N1, address: '10.50.0.10' }],
  });
  v.setContainer({
    containerId: 'lonely-ctr',
    netnsPath: '/run/netns/lonely',
    interfaces: [{ networkId: N2, address: '10.51.0.10' }],
  });
  return v;
}
