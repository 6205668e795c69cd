import { describe, expect, it } from 'vitest';
import { checkServiceSpec } from '../../../manager/store/index.js';
import { parseMount, parsePort, specFromFlags } from './spec-from-flags.js';

describe('service create flags', () => {
  it('fills Swarm defaults when only an image is given', () => {
    const s = specFromFlags('nginx:alpine', [], { name: 'web' });
    expect(s.mode).toEqual({ replicated: { replicas: 1 } });
    expect(s.taskTemplate.restartPolicy).toEqual({
      condition: 'any',
      delayNs: 5e9,
      maxAttempts: 0,
      windowNs: 0,
    });
    expect(s.updateConfig).toEqual({
      parallelism: 1,
      delayNs: 0,
      failureAction: 'pause',
      monitorNs: 5e9,
      maxFailureRatio: 0,
      order: 'stop-first',
    });
    expect(() => checkServiceSpec(s)).not.toThrow();
  });

  it('converts resources, restart, health, placement, labels and args', () => {
    const s = specFromFlags('redis', ['redis-server', '--appendonly', 'yes'], {
      name: 'cache',
      replicas: '3',
      env: ['A=1'],
      reserveCpu: '0.5',
      limitMemory: '256m',
      restartCondition: 'on-failure',
      restartDelay: '10s',
      restartMaxAttempts: '3',
      restartWindow: '1m',
      healthCmd: 'redis-cli ping',
      healthInterval: '5s',
      healthRetries: '2',
      constraint: ['node.labels.zone==a'],
      placementPref: ['spread=node.labels.rack'],
      maxReplicasPerNode: '1',
      label: ['tier=data'],
      containerLabel: ['x=y'],
    });
    const t = s.taskTemplate;
    expect(s.mode).toEqual({ replicated: { replicas: 3 } });
    expect(t.containerSpec.args).toEqual(['redis-server', '--appendonly', 'yes']);
    expect(t.resources.reservations.nanoCpus).toBe(5e8);
    expect(t.resources.limits.memoryBytes).toBe(256 * 1024 * 1024);
    expect(t.restartPolicy).toEqual({
      condition: 'on-failure',
      delayNs: 10e9,
      maxAttempts: 3,
      windowNs: 60e9,
    });
    expect(t.containerSpec.healthcheck).toEqual({
      test: ['CMD-SHELL', 'redis-cli ping'],
      intervalNs: 5e9,
      retries: 2,
    });
    expect(t.placement).toEqual({
      constraints: ['node.labels.zone==a'],
      preferences: [{ spread: 'node.labels.rack' }],
      maxReplicasPerNode: 1,
    });
    expect(s.labels).toEqual({ tier: 'data' });
    expect(t.containerSpec.labels).toEqual({ x: 'y' });
    expect(() => checkServiceSpec(s)).not.toThrow();
  });

  it('parses short and long port forms, ingress by default', () => {
    expect(parsePort('8080:80')).toEqual({
      target: 80,
      published: 8080,
      protocol: 'tcp',
      mode: 'ingress',
    });
    expect(parsePort('53:53/udp').protocol).toBe('udp');
    expect(parsePort('80')).toEqual({ target: 80, protocol: 'tcp', mode: 'ingress' });
    expect(parsePort('mode=host,target=80,published=8081')).toEqual({
      target: 80,
      published: 8081,
      protocol: 'tcp',
      mode: 'host',
    });
    expect(() => parsePort('80:http')).toThrow(/--publish/);
  });

  it('parses mounts', () => {
    expect(parseMount('type=bind,source=/srv,target=/data,readonly')).toEqual({
      type: 'bind',
      source: '/srv',
      target: '/data',
      readOnly: true,
    });
    expect(parseMount('type=tmpfs,target=/tmp,tmpfs-size=64m').tmpfsSizeBytes).toBe(
      64 * 1024 * 1024,
    );
    expect(() => parseMount('type=bind,source=/a')).toThrow(/target is required/);
  });

  it('refuses replicas in global mode and bad numbers', () => {
    expect(() => specFromFlags('x', [], { mode: 'global', replicas: '2' })).toThrow(
      /replicated mode/,
    );
    expect(specFromFlags('x', [], { mode: 'global' }).mode).toEqual({ global: {} });
    expect(() => specFromFlags('x', [], { replicas: 'many' })).toThrow(/--replicas/);
  });
});
