import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStack, parseNanoCpus } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function stackOf(text: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'stack-convert-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'stack.yml'), text);
  return loadStack('shop', ['stack.yml'], { cwd, env: {} });
}

describe('stack → service specs', () => {
  it('names services <stack>_<service>, labels them and applies Swarm defaults', () => {
    const { services, networks } = stackOf('services:\n  web:\n    image: nginx\n');
    expect(services).toHaveLength(1);
    const web = services[0];
    expect(web.name).toBe('shop_web');
    expect(web.labels).toEqual({ 'com.docker.stack.namespace': 'shop' });
    expect(web.taskTemplate.containerSpec.labels).toEqual({ 'com.docker.stack.namespace': 'shop' });
    expect(web.mode).toEqual({ replicated: { replicas: 1 } });
    expect(web.taskTemplate.restartPolicy).toEqual({
      condition: 'any',
      delayNs: 5e9,
      maxAttempts: 0,
      windowNs: 0,
    });
    expect(web.updateConfig).toEqual({
      parallelism: 1,
      delayNs: 0,
      failureAction: 'pause',
      monitorNs: 5e9,
      maxFailureRatio: 0,
      order: 'stop-first',
    });
    expect(web.endpointSpec).toEqual({ mode: 'vip', ports: [] });
    expect(web.taskTemplate.networks).toEqual([{ target: 'shop_default', aliases: ['web'] }]);
    expect(networks.map((n) => n.name)).toEqual(['shop_default']);
  });

  it('converts deploy, resources, healthcheck, ports, volumes and networks', () => {
    const text = `services:
  api:
    image: app:1
    entrypoint: ["/init"]
    command: serve --port 80
    environment: {A: "1", B: null}
    healthcheck: {test: ["CMD", "true"], interval: 30s, retries: 3}
    stop_grace_period: 1m30s
    ports: ["8080:80", {target: 53, published: 53, protocol: udp, mode: host}]
    volumes: ["data:/var/lib/data", "/etc/ssl:/ssl:ro"]
    networks: [back]
    deploy:
      mode: global
      labels: [tier=api]
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {memory: 1.5G}
      restart_policy: {condition: on-failure, delay: 10s, max_attempts: 3}
      placement: {constraints: [node.role==worker], preferences: [{spread: node.labels.zone}], max_replicas_per_node: 2}
      update_config: {parallelism: 2, order: start-first}
      endpoint_mode: dnsrr
volumes:
  data: {}
networks:
  back: {driver: overlay, attachable: true}
`;
    const { services, volumes, networks } = stackOf(text);
    const api = services[0];
    expect(api.mode).toEqual({ global: {} });
    expect(api.labels).toEqual({ tier: 'api', 'com.docker.stack.namespace': 'shop' });
    const c = api.taskTemplate.containerSpec;
    expect(c.command).toEqual(['/init']);
    expect(c.args).toEqual(['serve', '--port', '80']);
    expect(c.env).toEqual(['A=1', 'B']);
    expect(c.healthcheck).toEqual({ test: ['CMD', 'true'], intervalNs: 30e9, retries: 3 });
    expect(c.stopGracePeriodNs).toBe(90e9);
    expect(c.mounts).toEqual([
      { type: 'volume', source: 'shop_data', target: '/var/lib/data' },
      { type: 'bind', source: '/etc/ssl', target: '/ssl', readOnly: true },
    ]);
    expect(api.taskTemplate.resources).toEqual({
      limits: { nanoCpus: 5e8, memoryBytes: 512 * 1024 ** 2 },
      reservations: { memoryBytes: 1.5 * 1024 ** 3 },
    });
    expect(api.taskTemplate.restartPolicy).toEqual({
      condition: 'on-failure',
      delayNs: 10e9,
      maxAttempts: 3,
      windowNs: 0,
    });
    expect(api.taskTemplate.placement).toEqual({
      constraints: ['node.role==worker'],
      preferences: [{ spread: 'node.labels.zone' }],
      maxReplicasPerNode: 2,
    });
    expect(api.updateConfig.parallelism).toBe(2);
    expect(api.updateConfig.order).toBe('start-first');
    expect(api.endpointSpec).toEqual({
      mode: 'dnsrr',
      ports: [
        { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
        { target: 53, published: 53, protocol: 'udp', mode: 'host' },
      ],
    });
    expect(api.taskTemplate.networks).toEqual([{ target: 'shop_back', aliases: ['api'] }]);
    expect(volumes.map((v) => v.name)).toEqual(['shop_data']);
    expect(networks).toEqual([
      expect.objectContaining({
        key: 'back',
        name: 'shop_back',
        attachable: true,
        driver: 'overlay',
      }),
    ]);
  });

  it('keeps external resources under their own names', () => {
    const text =
      'services:\n  a:\n    image: x\n    networks: [proxy]\nnetworks:\n  proxy: {external: true, name: traefik}\n';
    const { services, networks } = stackOf(text);
    expect(services[0].taskTemplate.networks).toEqual([{ target: 'traefik', aliases: ['a'] }]);
    expect(networks[0]).toMatchObject({ name: 'traefik', external: true });
  });

  it('attaches every network of the map form with its aliases, and takes ipam.config[0]', () => {
    const text = [
      'services:',
      '  back:',
      '    image: x',
      '    networks:',
      '      front: {aliases: [backend]}',
      '      data:',
      'networks:',
      '  front: {driver_opts: {encrypted: ""}, internal: true}',
      '  data:',
      '    ipam: {config: [{subnet: 10.20.30.0/24}]}',
      '',
    ].join('\n');
    const { services, networks } = stackOf(text);
    expect(services[0].taskTemplate.networks).toEqual([
      { target: 'shop_data', aliases: ['back'] },
      { target: 'shop_front', aliases: ['back', 'backend'] },
    ]);
    expect(networks.find((n) => n.key === 'data')).toMatchObject({
      subnet: '10.20.30.0/24',
    });
    expect(networks.find((n) => n.key === 'front')).toMatchObject({
      internal: true,
      driverOpts: { encrypted: '' },
    });
  });

  it('refuses a fixed task address and ipam settings it cannot honour, naming them', () => {
    const fixed =
      'services:\n  a:\n    image: x\n    networks:\n      n: {ipv4_address: 10.0.0.5}\nnetworks:\n  n: {}\n';
    expect(() => stackOf(fixed)).toThrow(/services\.a\.networks\.n\.ipv4_address: not supported/);
    const two =
      'services:\n  a:\n    image: x\nnetworks:\n  n:\n    ipam: {config: [{subnet: 10.1.0.0/24}, {subnet: 10.2.0.0/24}]}\n';
    expect(() => stackOf(two)).toThrow(/networks\.n\.ipam\.config: only one subnet/);
    const bridge = 'services:\n  a:\n    image: x\nnetworks:\n  n: {driver: bridge}\n';
    expect(() => stackOf(bridge)).toThrow(/networks\.n\.driver: "bridge" is not supported/);
  });

  it('parses CPU counts exactly', () => {
    expect(parseNanoCpus('0.001')).toBe(1e6);
    expect(parseNanoCpus('2')).toBe(2e9);
    expect(() => parseNanoCpus('two')).toThrow(/invalid CPU count/);
  });
});
