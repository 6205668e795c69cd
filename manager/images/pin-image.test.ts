import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../shared/errors/index.js';
import { silentLogger } from '../../shared/log/index.js';
import { serviceFixture } from '../store/fixtures.js';
import type { DigestResolver } from './digest-resolver.js';
import { pinImage, withoutDigest } from './pin-image.js';

const d1 = `sha256:${'1'.repeat(64)}`;
const d2 = `sha256:${'2'.repeat(64)}`;

function specWith(image: string) {
  const s = serviceFixture('web').spec;
  s.taskTemplate.containerSpec.image = image;
  return s;
}

function resolver(digest: string, asked: unknown[] = []): DigestResolver {
  return {
    digestOf: async (image, creds) => (asked.push([image, creds]), digest),
  };
}

const log = silentLogger();

describe('pinning a service image to a digest', () => {
  it('always: resolves the tag, keeps the tag, and uses the credentials given', async () => {
    const asked: unknown[] = [];
    const creds = { username: 'u', password: 'p' };
    const r = await pinImage(specWith('reg:5000/app'), {
      mode: 'always',
      resolver: resolver(d1, asked),
      credentials: creds,
      log,
    });
    expect(r.spec.taskTemplate.containerSpec.image).toBe(`reg:5000/app:latest@${d1}`);
    expect(r.warning).toBeUndefined();
    expect(asked).toEqual([['reg:5000/app', creds]]);
    // Docker Hub images print in their familiar form.
    const hub = await pinImage(specWith('nginx:1.25'), {
      mode: 'always',
      resolver: resolver(d1),
      log,
    });
    expect(hub.spec.taskTemplate.containerSpec.image).toBe(`nginx:1.25@${d1}`);
  });

  it('changed: an unchanged image keeps the digest it runs; a changed one is resolved', async () => {
    const current = specWith(`reg:5000/app:v1@${d1}`);
    const same = await pinImage(specWith('reg:5000/app:v1'), {
      mode: 'changed',
      current,
      resolver: resolver(d2),
      log,
    });
    expect(same.spec.taskTemplate.containerSpec.image).toBe(`reg:5000/app:v1@${d1}`);
    const moved = await pinImage(specWith('reg:5000/app:v2'), {
      mode: 'changed',
      current,
      resolver: resolver(d2),
      log,
    });
    expect(moved.spec.taskTemplate.containerSpec.image).toBe(`reg:5000/app:v2@${d2}`);
  });

  it('never, or an image given with a digest: left as written, the registry not asked', async () => {
    const asked: unknown[] = [];
    for (const [image, mode] of [
      ['reg:5000/app:v1', 'never'],
      [`reg:5000/app:v1@${d1}`, 'always'],
    ] as const) {
      const r = await pinImage(specWith(image), { mode, resolver: resolver(d2, asked), log });
      expect(r.spec.taskTemplate.containerSpec.image).toBe(image);
    }
    expect(asked).toEqual([]);
  });

  it("warns in Docker's words when the registry cannot be asked, and goes on unpinned", async () => {
    const r = await pinImage(specWith('reg:5000/app:v1'), {
      mode: 'always',
      resolver: {
        digestOf: async () => {
          throw new FlotillaError('IMAGE_PULL_FAILED', { ref: 'reg:5000/app:v1', reason: 'down' });
        },
      },
      log,
    });
    expect(r.spec.taskTemplate.containerSpec.image).toBe('reg:5000/app:v1');
    expect(r.warning).toMatch(
      /^image reg:5000\/app:v1 could not be accessed on a registry to record its digest\. Each node will access reg:5000\/app:v1 independently/,
    );
  });

  it('withoutDigest drops only the digest', () => {
    expect(withoutDigest(`reg:5000/app:v1@${d1}`)).toBe('reg:5000/app:v1');
    expect(withoutDigest('reg:5000/app:v1')).toBe('reg:5000/app:v1');
  });
});
