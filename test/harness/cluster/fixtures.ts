// Plain-object builders for reconciler tests: sensible Swarm defaults, overridable per field.
import type { Node, Service, ServiceSpec, Task } from '../../../shared/model/index.js';
import { serviceSpecFixture } from '../../../manager/store/fixtures.js';

const epoch = '2026-01-01T00:00:00.000Z';

/** A clock tests move by hand; reconcilers read time only through it. */
export class ManualClock {
  constructor(private ms = Date.parse(epoch)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export type NodeOverrides = Partial<Omit<Node, 'description' | 'spec' | 'status'>> & {
  description?: Partial<Node['description']>;
  spec?: Partial<Node['spec']>;
  status?: Partial<Node['status']>;
};

export function makeNode(id: string, o: NodeOverrides = {}): Node {
  return {
    version: 1,
    createdAt: epoch,
    updatedAt: epoch,
    ...o,
    id,
    description: {
      hostname: id,
      addr: '127.0.0.1',
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      engineVersion: '0.1.0',
      engineLabels: {},
      ...o.description,
    },
    spec: { role: 'worker', availability: 'active', labels: {}, ...o.spec },
    status: { state: 'ready', message: '', ...o.status },
  };
}

/** The store's spec fixture (Swarm defaults) with a busybox image and no restart delay. */
export function makeSpec(name: string, o: Partial<ServiceSpec> = {}): ServiceSpec {
  const base = serviceSpecFixture(name);
  const t = base.taskTemplate;
  return {
    ...base,
    taskTemplate: {
      ...t,
      containerSpec: { ...t.containerSpec, image: 'busybox:latest' },
      restartPolicy: { ...t.restartPolicy, delayNs: 0 },
    },
    ...o,
  };
}

export function makeService(id: string, spec: ServiceSpec, o: Partial<Service> = {}): Service {
  return { id, version: 1, createdAt: epoch, updatedAt: epoch, spec, ...o };
}

export function makeTask(id: string, service: Service, o: Partial<Task> = {}): Task {
  return {
    id,
    serviceId: service.id,
    slot: 1,
    serviceVersion: service.version,
    spec: structuredClone(service.spec.taskTemplate),
    endpointPorts: service.spec.endpointSpec.ports.filter((p) => p.mode === 'host'),
    desiredState: 'running',
    status: { state: 'pending', timestamp: epoch, message: '' },
    createdAt: epoch,
    ...o,
  };
}
