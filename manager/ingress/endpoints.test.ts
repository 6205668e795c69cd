import { describe, expect, it } from 'vitest';
import type { PortConfig, Task } from '../../shared/model/index.js';
import { serviceFixture, serviceSpecFixture, taskFixture } from '../store/fixtures.js';
import { ingressEndpoints } from './endpoints.js';

const ports: PortConfig[] = [
  { target: 80, published: 8095, protocol: 'tcp', mode: 'ingress' },
  { target: 90, published: 9000, protocol: 'tcp', mode: 'host' },
];
const web = serviceFixture('web', {
  spec: serviceSpecFixture('web', { endpointSpec: { mode: 'vip', ports } }),
  endpoint: { ports },
});
const running = (slot: number, address: string, over: Partial<Task> = {}): Task =>
  taskFixture(web, slot, {
    status: { state: 'running', timestamp: '2026-01-01T00:00:00.000Z', message: '', address },
    ...over,
  });

describe('ingressEndpoints', () => {
  it('lists the ingress ports and the addresses of running tasks, sorted', () => {
    const out = ingressEndpoints([web], [running(2, '10.240.1.5'), running(1, '10.240.0.3')]);
    expect(out).toEqual([
      {
        serviceId: web.id,
        name: 'web',
        ports: [{ published: 8095, target: 80, protocol: 'tcp' }],
        addrs: ['10.240.0.3', '10.240.1.5'],
      },
    ]);
  });

  it('drops a task at once when its desired state is no longer running (drain)', () => {
    const out = ingressEndpoints(
      [web],
      [running(1, '10.240.0.3', { desiredState: 'shutdown' }), running(2, '10.240.1.5')],
    );
    expect(out[0]!.addrs).toEqual(['10.240.1.5']);
  });

  it('waits for healthy when the task has a healthcheck, and drops unhealthy tasks', () => {
    const hc = { ...web.spec.taskTemplate };
    hc.containerSpec = { ...hc.containerSpec, healthcheck: { test: ['CMD', 'true'] } };
    const t = (slot: number, addr: string, health?: 'starting' | 'healthy' | 'unhealthy') =>
      running(slot, addr, {
        spec: hc,
        status: {
          state: 'running',
          timestamp: '2026-01-01T00:00:00.000Z',
          message: '',
          address: addr,
          ...(health ? { health } : {}),
        },
      });
    const out = ingressEndpoints(
      [web],
      [
        t(1, '10.0.0.1'),
        t(2, '10.0.0.2', 'starting'),
        t(3, '10.0.0.3', 'healthy'),
        t(4, '10.0.0.4', 'unhealthy'),
      ],
    );
    expect(out[0]!.addrs).toEqual(['10.0.0.3']);
  });

  it('keeps a service whose tasks are all gone, with no address (its port refuses)', () => {
    const starting = taskFixture(web, 1, {
      status: { state: 'starting', timestamp: '2026-01-01T00:00:00.000Z', message: '' },
    });
    expect(ingressEndpoints([web], [starting])[0]!.addrs).toEqual([]);
  });

  it('leaves out services without ingress ports and tasks of other services', () => {
    const plain = serviceFixture('plain');
    expect(ingressEndpoints([plain], [running(1, '10.0.0.9')])).toEqual([]);
  });
});
