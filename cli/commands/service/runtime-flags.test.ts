import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkServiceSpec } from '../../../manager/store/index.js';
import { createSpec } from './create-spec.js';
import { applyUpdateFlags } from './update.js';

const dir = mkdtempSync(join(tmpdir(), 'svc-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('service create runtime flags', () => {
  it('puts every runtime flag into the spec, in Swarm form', () => {
    const envFile = join(dir, 'env');
    writeFileSync(envFile, '# c\nFROM_FILE=1\nBOTH=file\n');
    const s = createSpec('busybox', [], {
      name: 'web',
      host: ['db:10.0.0.9', 'gw:host-gateway'],
      sysctl: ['net.core.somaxconn=512'],
      ulimit: ['nofile=100:200'],
      capAdd: ['net_admin'],
      capDrop: ['CHOWN'],
      dns: ['10.0.0.53'],
      dnsSearch: ['corp.example'],
      dnsOption: ['ndots:3'],
      group: ['audio'],
      tty: true,
      envFile: [envFile],
      env: ['BOTH=flag'],
      limitPids: '50',
      healthCmd: 'true',
      healthStartInterval: '2s',
      replicasMaxPerNode: '2',
      updateMaxFailureRatio: '0.5',
      rollbackParallelism: '3',
      rollbackMonitor: '7s',
      rollbackFailureAction: 'continue',
      rollbackMaxFailureRatio: '0.25',
      mount: [
        'type=volume,source=v,target=/v,volume-nocopy',
        'type=bind,source=/s,target=/s,bind-propagation=rslave',
      ],
    });
    const t = s.taskTemplate;
    const c = t.containerSpec;
    expect(c.hosts).toEqual(['10.0.0.9 db', 'host-gateway gw']);
    expect(c.sysctls).toEqual({ 'net.core.somaxconn': '512' });
    expect(c.ulimits).toEqual([{ name: 'nofile', soft: 100, hard: 200 }]);
    expect(c.capabilityAdd).toEqual(['CAP_NET_ADMIN']);
    expect(c.capabilityDrop).toEqual(['CAP_CHOWN']);
    expect(c.dnsConfig).toEqual({
      nameservers: ['10.0.0.53'],
      search: ['corp.example'],
      options: ['ndots:3'],
    });
    expect(c.groups).toEqual(['audio']);
    expect(c.tty).toBe(true);
    expect(c.env).toEqual(['FROM_FILE=1', 'BOTH=file', 'BOTH=flag']);
    expect(c.healthcheck?.startIntervalNs).toBe(2e9);
    expect(c.mounts).toEqual([
      { type: 'volume', source: 'v', target: '/v', noCopy: true },
      { type: 'bind', source: '/s', target: '/s', propagation: 'rslave' },
    ]);
    expect(t.resources.limits.pids).toBe(50);
    expect(t.placement.maxReplicasPerNode).toBe(2);
    expect(s.updateConfig.maxFailureRatio).toBe(0.5);
    expect(s.rollbackConfig).toMatchObject({
      parallelism: 3,
      monitorNs: 7e9,
      failureAction: 'continue',
      maxFailureRatio: 0.25,
    });
    expect(() => checkServiceSpec(s)).not.toThrow();
  });

  it('keeps the old --max-replicas-per-node spelling', () => {
    const s = createSpec('busybox', [], { name: 'w', maxReplicasPerNode: '3' });
    expect(s.taskTemplate.placement.maxReplicasPerNode).toBe(3);
  });

  it('adds no runtime fields when no runtime flag is given', () => {
    const c = createSpec('busybox', [], { name: 'w' }).taskTemplate.containerSpec;
    for (const k of ['hosts', 'dnsConfig', 'sysctls', 'ulimits', 'capabilityAdd', 'groups', 'tty'])
      expect(c).not.toHaveProperty(k);
  });

  it.each([
    [{ sysctl: ['kernel.domainname=x'] }, '--sysctl', 'not a namespaced sysctl'],
    [{ host: ['justahost'] }, '--host', 'HOST:IP'],
    [{ ulimit: ['nofile=9:1'] }, '--ulimit', 'soft limit exceeds'],
    [{ capAdd: ['SYS_MAGIC'] }, '--cap-add', 'unknown capability'],
    [{ dns: ['dns.example'] }, '--dns', 'not an IP address'],
    [{ dnsOption: ['a b'] }, '--dns-option', 'resolv.conf option'],
    [{ group: ['a:b'] }, '--group', 'group name'],
    [{ limitPids: '-1' }, '--limit-pids', 'whole number'],
    [{ healthStartInterval: '1s' }, '--health-start-interval', 'no health check'],
    [{ updateMaxFailureRatio: '2' }, '--update-max-failure-ratio', 'from 0 to 1'],
    [{ rollbackFailureAction: 'rollback' }, '--rollback-failure-action', 'pause or continue'],
    [{ envFile: ['/nonexistent/env'] }, '--env-file', 'no such file'],
  ])('refuses %o naming the flag and the value', (flags, flag, reason) => {
    const msg = messageOf(() => createSpec('busybox', [], { name: 'w', ...flags }));
    expect(msg).toContain(`for flag ${flag}`);
    expect(msg).toContain(reason);
  });
});

describe('service update runtime flags', () => {
  const base = () =>
    createSpec('busybox', [], {
      name: 'w',
      host: ['a:10.0.0.1', 'b:10.0.0.2'],
      sysctl: ['net.core.somaxconn=1', 'net.ipv4.tcp_syncookies=0'],
      ulimit: ['nofile=10'],
      capAdd: ['NET_ADMIN'],
      dns: ['10.0.0.1'],
      dnsSearch: ['a.example'],
      group: ['audio'],
    });

  it('removes, then adds, as docker service update does', () => {
    const s = applyUpdateFlags(base(), {
      hostRm: ['a'],
      hostAdd: ['c:10.0.0.3'],
      sysctlRm: ['net.core.somaxconn'],
      sysctlAdd: ['net.ipv4.ip_forward=1'],
      ulimitRm: ['nofile'],
      ulimitAdd: ['nproc=5:6'],
      capDrop: ['NET_ADMIN'],
      dnsRm: ['10.0.0.1'],
      dnsAdd: ['10.0.0.2'],
      dnsSearchAdd: ['b.example'],
      dnsOptionAdd: ['rotate'],
      groupRm: ['audio'],
      groupAdd: ['video'],
      tty: true,
      limitPids: '9',
      replicasMaxPerNode: '4',
    });
    const c = s.taskTemplate.containerSpec;
    expect(c.hosts).toEqual(['10.0.0.2 b', '10.0.0.3 c']);
    expect(c.sysctls).toEqual({ 'net.ipv4.tcp_syncookies': '0', 'net.ipv4.ip_forward': '1' });
    expect(c.ulimits).toEqual([{ name: 'nproc', soft: 5, hard: 6 }]);
    expect(c.capabilityAdd).toBeUndefined();
    expect(c.capabilityDrop).toEqual(['CAP_NET_ADMIN']);
    expect(c.dnsConfig).toEqual({
      nameservers: ['10.0.0.2'],
      search: ['a.example', 'b.example'],
      options: ['rotate'],
    });
    expect(c.groups).toEqual(['video']);
    expect(c.tty).toBe(true);
    expect(s.taskTemplate.resources.limits.pids).toBe(9);
    expect(s.taskTemplate.placement.maxReplicasPerNode).toBe(4);
  });

  it('leaves the runtime fields alone when no runtime flag is given', () => {
    const b = base();
    expect(applyUpdateFlags(b, {}).taskTemplate.containerSpec).toEqual(
      b.taskTemplate.containerSpec,
    );
  });

  it('refuses a bad --sysctl-add naming the flag', () => {
    expect(messageOf(() => applyUpdateFlags(base(), { sysctlAdd: ['fs.file-max=1'] }))).toContain(
      'for flag --sysctl-add',
    );
  });
});
