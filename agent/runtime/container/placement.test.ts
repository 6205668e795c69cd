import { describe, expect, it } from 'vitest';
import { checkPlatform, checkRequestedIp, inheritedMounts } from './placement.js';
import type { ContainerRecord } from './record.js';
import type { NetworkAttacher } from '../../network/index.js';

const image = (architecture: string) => ({
  imageId: 'sha256:x',
  ref: 'busybox',
  config: {} as never,
  chainIds: [],
  platform: { os: 'linux', architecture },
});

const network = {
  inspectNetwork: (name: string) => ({
    id: 'n',
    name,
    driver: 'bridge',
    scope: 'local',
    builtin: false,
    subnet: '10.7.0.0/24',
    gateway: '10.7.0.1',
    createdAt: '',
    labels: {},
  }),
} as unknown as NetworkAttacher;

describe('checkPlatform', () => {
  it('accepts the same platform (aliases too) and refuses another in Docker’s words', () => {
    expect(() =>
      checkPlatform({ image: 'b', platform: 'linux/x86_64' }, image('amd64')),
    ).not.toThrow();
    expect(() => checkPlatform({ image: 'b', platform: 'linux/arm64' }, image('amd64'))).toThrow(
      'image with reference b was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64',
    );
  });
});

describe('checkRequestedIp', () => {
  it('needs a user network, an address in its subnet, not the gateway', () => {
    expect(() => checkRequestedIp({ image: 'b', ipv4Address: '10.7.0.9' }, network)).toThrow(
      /user defined networks only/,
    );
    expect(() =>
      checkRequestedIp({ image: 'b', network: 'n', ipv4Address: '10.8.0.9' }, network),
    ).toThrow(/not in the subnet 10\.7\.0\.0\/24/);
    expect(() =>
      checkRequestedIp({ image: 'b', network: 'n', ipv4Address: '10.7.0.1' }, network),
    ).toThrow(/reserved/);
    expect(() =>
      checkRequestedIp({ image: 'b', network: 'n', ipv4Address: '10.7.0.9' }, network),
    ).not.toThrow();
  });
});

describe('inheritedMounts', () => {
  const src = {
    mounts: [
      {
        Type: 'volume',
        Name: 'v',
        Source: '/s/v',
        Destination: '/data',
        RW: true,
        Anonymous: true,
      },
      { Type: 'bind', Source: '/h', Destination: '/bind', RW: false },
      { Type: 'tmpfs', Source: '', Destination: '/tmp', RW: true },
    ],
  } as unknown as ContainerRecord;

  it('copies volumes and binds (never as anonymous), with :ro/:rw forcing the mode', () => {
    expect(inheritedMounts({ image: 'b', volumesFrom: ['src'] }, () => src)).toEqual([
      { Type: 'volume', Name: 'v', Source: '/s/v', Destination: '/data', RW: true },
      { Type: 'bind', Source: '/h', Destination: '/bind', RW: false },
    ]);
    const rw = inheritedMounts({ image: 'b', volumesFrom: ['src:rw'] }, () => src);
    expect(rw.map((m) => m.RW)).toEqual([true, true]);
    expect(() => inheritedMounts({ image: 'b', volumesFrom: ['src:x'] }, () => src)).toThrow(
      /ro or rw/,
    );
  });
});

describe('health intervals from an API client', () => {
  it('refuses a start interval under 1ms, naming the flag', async () => {
    const { validateCreateOptions } = await import('./validate.js');
    expect(() =>
      validateCreateOptions({ image: 'b', healthcheck: { test: ['NONE'], startIntervalMs: 1e-6 } }),
    ).toThrow(/--health-start-interval.*cannot be less than 1ms/);
  });
});
