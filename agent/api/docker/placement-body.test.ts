import { describe, expect, it } from 'vitest';
import { createOptions } from './create-body.js';

describe("Docker's create body: placement fields", () => {
  it('translates IPAMConfig.IPv4Address, VolumesFrom, StartInterval and ?platform', () => {
    const o = createOptions(
      {
        Image: 'busybox',
        Healthcheck: { Test: ['CMD', 'true'], StartInterval: 2e9 },
        HostConfig: { NetworkMode: 'pnet', VolumesFrom: ['src:ro'] },
        NetworkingConfig: {
          EndpointsConfig: { pnet: { IPAMConfig: { IPv4Address: '10.1.2.3', IPv6Address: '' } } },
        },
      },
      'c1',
      'linux/arm64',
    );
    expect(o).toMatchObject({
      network: 'pnet',
      ipv4Address: '10.1.2.3',
      volumesFrom: ['src:ro'],
      platform: 'linux/arm64',
      healthcheck: { startIntervalMs: 2000 },
    });
  });

  it('refuses an IPv6 address and a malformed VolumesFrom by name', () => {
    const v6 = {
      Image: 'busybox',
      HostConfig: { NetworkMode: 'pnet' },
      NetworkingConfig: { EndpointsConfig: { pnet: { IPAMConfig: { IPv6Address: 'fd00::1' } } } },
    };
    expect(() => createOptions(v6)).toThrow(/IPAMConfig\.IPv6Address is not supported/);
    expect(() => createOptions({ Image: 'b', HostConfig: { VolumesFrom: 'src' } })).toThrow(
      /HostConfig\.VolumesFrom must be a list/,
    );
  });
});
