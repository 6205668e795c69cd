import { describe, expect, it } from 'vitest';
import { hostPlatform, parsePlatform, selectPlatform } from './platform.js';
import { uploadUrl } from './push.js';
import { backoffDelayMs, defaultRetryPolicy, retryAfterMs } from './retry.js';
import { isListedInsecure, isLoopback } from './endpoint.js';
import type { Descriptor, Platform } from './types.js';

const entry = (
  n: number,
  platform: Platform,
  annotations?: Record<string, string>,
): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: n,
  platform,
  ...(annotations ? { annotations } : {}),
});

const index = [
  entry(
    1,
    { os: 'unknown', architecture: 'unknown' },
    { 'vnd.docker.reference.type': 'attestation-manifest' },
  ),
  entry(2, { os: 'linux', architecture: 'amd64', variant: 'v3' }),
  entry(3, { os: 'linux', architecture: 'amd64' }),
  entry(4, { os: 'linux', architecture: 'arm', variant: 'v6' }),
  entry(5, { os: 'linux', architecture: 'arm', variant: 'v7' }),
  entry(6, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
  entry(7, { os: 'windows', architecture: 'amd64' }),
];

describe('selectPlatform', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 3],
    [{ os: 'linux', architecture: 'x86_64' }, 3],
    [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, 2],
    [{ os: 'linux', architecture: 'amd64', variant: 'v2' }, 3],
    [{ os: 'linux', architecture: 'arm64' }, 6],
    [{ os: 'linux', architecture: 'aarch64' }, 6],
    [{ os: 'linux', architecture: 'arm' }, 5],
    [{ os: 'linux', architecture: 'arm', variant: 'v6' }, 4],
    [{ os: 'linux', architecture: 'arm', variant: '8' }, 5],
    [{ os: 'windows', architecture: 'amd64' }, 7],
  ])('picks %j', (want, size) => {
    expect(selectPlatform(index, want as Platform)?.size).toBe(size);
  });

  it('finds nothing for a missing platform and never picks attestations', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 's390x' })).toBeUndefined();
    expect(selectPlatform(index, { os: 'unknown', architecture: 'unknown' })).toBeUndefined();
    expect(
      selectPlatform(index.slice(3, 4), { os: 'linux', architecture: 'arm', variant: 'v5' }),
    ).toBeUndefined();
  });

  it('maps this machine to linux and an OCI architecture', () => {
    const p = hostPlatform();
    expect(p.os).toBe('linux');
    expect(p.architecture).not.toBe('x64');
    expect(parsePlatform('linux/arm64/v8')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(parsePlatform('linux')).toBeUndefined();
  });
});

describe('upload locations', () => {
  const base = new URL('http://127.0.0.1:5000/v2/app/blobs/uploads/');
  const d = 'sha256:' + 'a'.repeat(64);
  it('resolves a relative Location and keeps an existing query', () => {
    expect(uploadUrl('/v2/app/blobs/uploads/u1?_state=a+b/c=', base, d).href).toBe(
      `http://127.0.0.1:5000/v2/app/blobs/uploads/u1?_state=a+b/c=&digest=sha256%3A${'a'.repeat(64)}`,
    );
    expect(uploadUrl('u2', base, d).href).toBe(
      `http://127.0.0.1:5000/v2/app/blobs/uploads/u2?digest=sha256%3A${'a'.repeat(64)}`,
    );
    expect(uploadUrl('https://cdn.example/up?x=1', base, d).href).toBe(
      `https://cdn.example/up?x=1&digest=sha256%3A${'a'.repeat(64)}`,
    );
  });
});

describe('retry policy and endpoints', () => {
  it('bounds backoff and honours Retry-After up to the ceiling', () => {
    const p = { ...defaultRetryPolicy, retries: 3, baseDelayMs: 100, maxDelayMs: 300 };
    for (let i = 0; i < 3; i++) expect(backoffDelayMs(p, i)).toBeLessThanOrEqual(300);
    expect(backoffDelayMs(p, 3)).toBeUndefined();
    expect(backoffDelayMs(p, 0, 2000)).toBe(2000);
    expect(backoffDelayMs(p, 0, 3_600_000)).toBeUndefined();
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });

  it('treats loopback and listed registries as insecure, nothing else', () => {
    expect(isLoopback('127.0.0.1:5000')).toBe(true);
    expect(isLoopback('127.9.9.9')).toBe(true);
    expect(isLoopback('[::1]:5000')).toBe(true);
    expect(isLoopback('localhost:5000')).toBe(true);
    expect(isLoopback('128.0.0.1:5000')).toBe(false);
    expect(isLoopback('docker.io')).toBe(false);
    expect(isListedInsecure('reg.lan:5000', ['reg.lan:5000'])).toBe(true);
    expect(isListedInsecure('reg.lan:5000', ['http://reg.lan'])).toBe(true);
    expect(isListedInsecure('other.lan:5000', ['reg.lan:5000'])).toBe(false);
  });
});
