import { describe, expect, it } from 'vitest';
import { isFlotillaError } from '../../shared/errors/index.js';
import type { PortConfig } from '../../shared/model/index.js';
import { serviceFixture, serviceSpecFixture } from '../store/fixtures.js';
import { resolvePorts } from './ports.js';

const ingress = (target: number, published?: number): PortConfig => ({
  target,
  ...(published !== undefined ? { published } : {}),
  protocol: 'tcp',
  mode: 'ingress',
});
const specWith = (name: string, ports: PortConfig[]) =>
  serviceSpecFixture(name, { endpointSpec: { mode: 'vip', ports } });
const serviceWith = (name: string, ports: PortConfig[]) =>
  serviceFixture(name, { spec: specWith(name, ports), endpoint: { ports } });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isFlotillaError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return undefined;
}

describe('resolvePorts', () => {
  it('assigns an ingress port from 30000-32767 when none is given, skipping taken ones', () => {
    const other = serviceWith('a', [ingress(80, 30000)]);
    const ports = resolvePorts(specWith('b', [ingress(80), ingress(81, 30001)]), undefined, [
      other,
    ]);
    expect(ports.map((p) => p.published)).toEqual([30002, 30001]);
  });

  it('picks among the lowest free ports when told to spread (a retry)', () => {
    const other = serviceWith('a', [ingress(80, 30001)]);
    const pickWith = (r: number) =>
      resolvePorts(specWith('b', [ingress(80)]), undefined, [other], {
        spread: 4,
        random: () => r,
      })[0]!.published;
    expect([0, 0.3, 0.6, 0.99].map(pickWith)).toEqual([30000, 30002, 30003, 30004]);
  });

  it('keeps the port it assigned before when the service is updated', () => {
    const ports = resolvePorts(specWith('b', [ingress(80)]), [ingress(80, 31234)], []);
    expect(ports[0]!.published).toBe(31234);
  });

  it('refuses an ingress port another service publishes, naming the port and the service', () => {
    const other = serviceWith('web', [ingress(80, 8080)]);
    expect(
      codeOf(() => resolvePorts(specWith('api', [ingress(90, 8080)]), undefined, [other])),
    ).toMatch(/^SERVICE_PORT_IN_USE: .*8080\/tcp.*api.*service web/);
  });

  it('refuses a host-mode port that another service publishes in ingress mode, and vice versa', () => {
    const hostPort: PortConfig = { target: 80, published: 8080, protocol: 'tcp', mode: 'host' };
    expect(
      codeOf(() =>
        resolvePorts(specWith('h', [hostPort]), undefined, [serviceWith('i', [ingress(80, 8080)])]),
      ),
    ).toMatch(/^SERVICE_PORT_IN_USE/);
    expect(
      codeOf(() =>
        resolvePorts(specWith('i', [ingress(80, 8080)]), undefined, [serviceWith('h', [hostPort])]),
      ),
    ).toMatch(/^SERVICE_PORT_IN_USE/);
  });

  it('lets two services use one host-mode port (the scheduler keeps them on different nodes)', () => {
    const hostPort: PortConfig = { target: 80, published: 8080, protocol: 'tcp', mode: 'host' };
    expect(
      resolvePorts(specWith('b', [hostPort]), undefined, [serviceWith('a', [hostPort])]),
    ).toEqual([hostPort]);
  });

  it('treats tcp and udp as different ports', () => {
    const udp: PortConfig = { target: 53, published: 8080, protocol: 'udp', mode: 'ingress' };
    expect(
      resolvePorts(specWith('b', [udp]), undefined, [serviceWith('a', [ingress(80, 8080)])]),
    ).toEqual([udp]);
  });
});
