// Plain valid documents for tests of the store and of the components built on it.
import type { Node, Service, ServiceSpec, Task } from '../../shared/model/index.js';
import { newId } from './ids.js';

const t0 = '2026-01-01T00:00:00.000Z';

export function serviceSpecFixture(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  const update = {
    parallelism: 1,
    delayNs: 0,
    failureAction: 'pause' as const,
    monitorNs: 5e9,
    maxFailureRatio: 0,
    order: 'stop-first' as const,
  };
  return {
    name,
    labels: {},
    mode: { replicated: { replicas: 1 } },
    taskTemplate: {
      containerSpec: { image: 'nginx:alpine', env: [], labels: {}, mounts: [] },
      resources: { limits: {}, reservations: {} },
      restartPolicy: { condition: 'any', delayNs: 5e9, maxAttempts: 0, windowNs: 0 },
      placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 },
      networks: [],
      forceUpdate: 0,
    },
    updateConfig: update,
    rollbackConfig: { ...update },
    endpointSpec: { mode: 'vip', ports: [] },
    ...over,
  };
}

export function serviceFixture(name: string, over: Partial<Service> = {}): Service {
  return {
    id: newId(),
    version: 1,
    createdAt: t0,
    updatedAt: t0,
    spec: serviceSpecFixture(name),
    ...over,
  };
}

export function nodeFixture(over: Partial<Node> = {}): Node {
  return {
    id: newId(),
    version: 1,
    createdAt: t0,
    updatedAt: t0,
    description: {
      hostname: 'node-1',
      addr: '10.0.0.1',
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 2e9, memoryBytes: 2 ** 31 },
      engineVersion: '0.1.0',
      engineLabels: {},
    },
    spec: { role: 'worker', availability: 'active', labels: {} },
    status: { state: 'ready', message: '' },
    ...over,
  };
}

export function taskFixture(service: Service, slot: number, over: Partial<Task> = {}): Task {
  return {
    id: newId(),
    serviceId: service.id,
    slot,
    serviceVersion: service.version,
    spec: service.spec.taskTemplate,
    endpointPorts: [],
    desiredState: 'running',
    status: { state: 'new', timestamp: t0, message: 'created' },
    createdAt: t0,
    ...over,
  };
}
