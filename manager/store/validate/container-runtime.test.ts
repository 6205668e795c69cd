import { describe, expect, it } from 'vitest';
import { checkServiceSpec } from '../index.js';
import { defaultServiceSpec } from '../../../shared/model/index.js';

const withSpec = (patch: Record<string, unknown>, mount?: Record<string, unknown>) => {
  const s = defaultServiceSpec('web', 'busybox');
  Object.assign(s.taskTemplate.containerSpec, patch);
  if (mount) s.taskTemplate.containerSpec.mounts = [mount as never];
  return () => checkServiceSpec(s);
};

describe('container runtime fields of a service spec', () => {
  it('accepts well-formed values', () => {
    expect(
      withSpec({
        hosts: ['10.0.0.1 db alias', 'host-gateway gw'],
        dnsConfig: { nameservers: ['1.1.1.1'], search: ['x.example'], options: ['ndots:1'] },
        sysctls: { 'net.core.somaxconn': '1' },
        ulimits: [{ name: 'nofile', soft: 1, hard: 2 }],
        capabilityAdd: ['CAP_NET_ADMIN'],
        groups: ['audio'],
        tty: true,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ hosts: ['10.0.0.1'] }, 'containerSpec.hosts[0]'],
    [{ hosts: ['nope db'] }, 'containerSpec.hosts[0]'],
    [{ dnsConfig: { nameservers: ['x'] } }, 'containerSpec.dnsConfig.nameservers[0]'],
    [{ sysctls: { 'kernel.panic': '1' } }, 'containerSpec.sysctls.kernel.panic'],
    [{ ulimits: [{ name: 'nofile', soft: 3, hard: 1 }] }, 'containerSpec.ulimits[0]'],
    [{ capabilityAdd: ['CAP_BOGUS'] }, 'containerSpec.capabilityAdd[0]'],
    [{ groups: ['a:b'] }, 'containerSpec.groups[0]'],
    [{ tty: 'yes' }, 'containerSpec.tty'],
  ])('refuses %o naming %s', (patch, field) => {
    expect(withSpec(patch)).toThrow(field);
  });

  it('refuses nocopy on a bind and propagation on a volume', () => {
    expect(withSpec({}, { type: 'bind', source: '/a', target: '/b', noCopy: true })).toThrow(
      'mounts[0].noCopy',
    );
    expect(withSpec({}, { type: 'volume', target: '/b', propagation: 'rshared' })).toThrow(
      'mounts[0].propagation',
    );
  });
});
