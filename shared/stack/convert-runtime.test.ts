import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStack } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function stackOf(text: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'stack-runtime-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'stack.yml'), text);
  return loadStack('shop', ['stack.yml'], { cwd, env: {} });
}

const errorOf = (text: string): string => {
  try {
    stackOf(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the stack was accepted');
};

describe('stack runtime keys → container spec', () => {
  it('refuses deploy.resources.reservations.generic_resources at deploy, naming the field', () => {
    const msg = errorOf(
      'services:\n  web:\n    image: busybox\n    deploy: { resources: { reservations: { generic_resources: [{ discrete_resource_spec: { kind: gpu, value: 1 } }] } } }\n',
    );
    expect(msg).toContain(
      'services.web.deploy.resources.reservations.generic_resources: not supported',
    );
  });

  it('carries every runtime key into the spec in Swarm form', () => {
    const { services } = stackOf(`
services:
  web:
    image: busybox
    extra_hosts: ["db.local:10.1.2.3", "gw=host-gateway", "six:::1"]
    sysctls: { net.core.somaxconn: 1024, kernel.shmmax: "68719476736" }
    ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 64 }
    cap_add: [NET_ADMIN]
    cap_drop: [cap_chown]
    dns: [10.0.0.53]
    dns_search: example.com
    dns_opt: ["ndots:2", rotate]
    group_add: [audio, "4242"]
    tty: true
    stdin_open: true
    init: true
    stop_grace_period: 3s
    healthcheck: { test: "true", start_period: 30s, start_interval: 1s }
    volumes:
      - type: volume
        source: data
        target: /data
        volume: { nocopy: true }
      - type: bind
        source: /srv
        target: /srv
        bind: { propagation: rslave }
    deploy:
      resources: { limits: { pids: 77 } }
volumes:
  data: {}
`);
    const t = services[0].taskTemplate;
    const c = t.containerSpec;
    expect(c.hosts).toEqual(['10.1.2.3 db.local', 'host-gateway gw', '::1 six']);
    expect(c.sysctls).toEqual({ 'kernel.shmmax': '68719476736', 'net.core.somaxconn': '1024' });
    expect(c.ulimits).toEqual([
      { name: 'nofile', soft: 1024, hard: 2048 },
      { name: 'nproc', soft: 64, hard: 64 },
    ]);
    expect(c.capabilityAdd).toEqual(['CAP_NET_ADMIN']);
    expect(c.capabilityDrop).toEqual(['CAP_CHOWN']);
    expect(c.dnsConfig).toEqual({
      nameservers: ['10.0.0.53'],
      search: ['example.com'],
      options: ['ndots:2', 'rotate'],
    });
    expect(c.groups).toEqual(['audio', '4242']);
    expect(c.tty).toBe(true);
    expect(c.openStdin).toBe(true);
    expect(c.init).toBe(true);
    expect(c.stopGracePeriodNs).toBe(3e9);
    expect(c.healthcheck).toMatchObject({ startPeriodNs: 30e9, startIntervalNs: 1e9 });
    expect(c.mounts).toEqual([
      { type: 'volume', source: 'shop_data', target: '/data', noCopy: true },
      { type: 'bind', source: '/srv', target: '/srv', propagation: 'rslave' },
    ]);
    expect(t.resources.limits.pids).toBe(77);
  });

  it('takes the short volume syntax options nocopy and propagation', () => {
    const { services } = stackOf(
      'services:\n  web:\n    image: busybox\n    volumes: ["data:/d:nocopy", "/srv:/s:rshared"]\nvolumes:\n  data: {}\n',
    );
    expect(services[0].taskTemplate.containerSpec.mounts).toEqual([
      { type: 'volume', source: 'shop_data', target: '/d', noCopy: true },
      { type: 'bind', source: '/srv', target: '/s', propagation: 'rshared' },
    ]);
  });

  it('leaves the spec without runtime fields when the file sets none', () => {
    const c = stackOf('services:\n  web:\n    image: busybox\n').services[0].taskTemplate
      .containerSpec;
    for (const k of ['hosts', 'dnsConfig', 'sysctls', 'ulimits', 'capabilityAdd', 'groups', 'tty'])
      expect(c).not.toHaveProperty(k);
  });

  it.each([
    ['sysctls: { kernel.hostname: x }', 'services.web.sysctls.kernel.hostname', 'not a namespaced'],
    ['sysctls: { vm.swappiness: "1" }', 'services.web.sysctls.vm.swappiness', 'not a namespaced'],
    ['extra_hosts: ["nohost"]', 'services.web.extra_hosts[0]', 'HOST:IP'],
    ['extra_hosts: ["db:999.1.1.1"]', 'services.web.extra_hosts[0]', 'not an IP address'],
    ['ulimits: { nofiles: 10 }', 'services.web.ulimits.nofiles', 'unknown limit'],
    ['ulimits: { nofile: { soft: 20, hard: 10 } }', 'services.web.ulimits.nofile', 'soft limit'],
    ['dns: [not-an-ip]', 'services.web.dns[0]', 'not an IP address'],
    ['dns_opt: ["bad opt"]', 'services.web.dns_opt[0]', 'resolv.conf option'],
    ['group_add: ["a:b"]', 'services.web.group_add[0]', 'group name'],
    ['cap_add: [NOT_A_CAP]', 'services.web.cap_add[0]', 'unknown capability'],
    [
      'volumes: [{ type: bind, source: /a, target: /b, bind: { propagation: sideways } }]',
      'services.web.volumes[0].bind.propagation',
      'invalid propagation',
    ],
  ])('refuses %s naming the field and the value', (line, field, reason) => {
    const msg = errorOf(`services:\n  web:\n    image: busybox\n    ${line}\n`);
    expect(msg).toContain(`stack.yml:4:`);
    expect(msg).toContain(field);
    expect(msg).toContain(reason);
  });
});
