import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from './containers.js';
import { filterContainers, matchContainer } from './container-filters.js';

const base: ContainerSummary = {
  id: 'a'.repeat(64),
  name: 'web',
  image: 'busybox:latest',
  imageId: 'sha256:ffff',
  command: 'httpd',
  createdAt: '2026-01-01T00:00:00Z',
  state: 'running',
  status: 'Up 1 second (healthy)',
  ports: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp', hostIp: '' }],
  labels: { tier: 'front' },
  health: 'healthy',
  networks: ['bridge'],
  mounts: ['data', '/data'],
  exposed: ['80/tcp', '53/udp'],
};
const job: ContainerSummary = {
  ...base,
  id: 'b'.repeat(64),
  name: 'job',
  createdAt: '2026-01-01T00:01:00Z',
  state: 'exited',
  status: 'Exited (3) 1 second ago',
  ports: [],
  labels: { 'com.flotilla.task.id': 't1' },
  health: 'none',
  networks: ['none'],
  mounts: [],
  exposed: [],
};
const all = [base, job];
const m = (s: ContainerSummary, k: string, v: string) => matchContainer(s, k, v, all);

describe('container filters (Docker ps --filter keys)', () => {
  it('matches health, publish, expose, volume, network and is-task', () => {
    expect(m(base, 'health', 'healthy')).toBe(true);
    expect(m(job, 'health', 'none')).toBe(true);
    expect(m(base, 'publish', '8080')).toBe(true);
    expect(m(base, 'publish', '8000-8100/tcp')).toBe(true);
    expect(m(base, 'publish', '8080/udp')).toBe(false);
    expect(m(base, 'expose', '53/udp')).toBe(true);
    expect(m(base, 'expose', '80')).toBe(true);
    expect(m(base, 'expose', '53/tcp')).toBe(false);
    expect(m(base, 'volume', 'data')).toBe(true);
    expect(m(base, 'volume', '/data')).toBe(true);
    expect(m(job, 'volume', 'data')).toBe(false);
    expect(m(base, 'network', 'bridge')).toBe(true);
    expect(m(job, 'is-task', 'true')).toBe(true);
    expect(m(base, 'is-task', 'false')).toBe(true);
  });

  it('orders by creation for before and since, naming a container by name or id', () => {
    expect(m(base, 'before', 'job')).toBe(true);
    expect(m(job, 'since', 'web')).toBe(true);
    expect(m(job, 'since', 'aaaa')).toBe(true);
    expect(m(base, 'since', 'web')).toBe(false);
  });

  it('ANDs keys and ORs values of one key; name is a regular expression', () => {
    const f = (o: Record<string, string[]>) =>
      filterContainers(all, new Map(Object.entries(o))).map((c) => c.name);
    expect(f({ status: ['running', 'exited'] })).toEqual(['web', 'job']);
    expect(f({ status: ['exited'], name: ['web'] })).toEqual([]);
    expect(f({ name: ['^w.b$'] })).toEqual(['web']);
    expect(f({ exited: ['3'] })).toEqual(['job']);
  });
});
