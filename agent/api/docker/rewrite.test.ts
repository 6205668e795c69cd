import { describe, expect, it } from 'vitest';
import { rewriteDockerUrl } from './rewrite.js';

describe('rewriteDockerUrl', () => {
  it('strips the version and sends differing bodies to /docker', () => {
    expect(rewriteDockerUrl('GET', '/v1.50/containers/json?all=1')).toBe(
      '/docker/containers/json?all=1',
    );
    expect(rewriteDockerUrl('POST', '/v1.50/containers/x/start')).toBe('/containers/x/start');
    expect(rewriteDockerUrl('GET', '/containers/json')).toBe('/containers/json');
  });

  it('keeps an image name with slashes in one path segment, as Docker matches {name:.*}', () => {
    expect(
      rewriteDockerUrl('POST', '/v1.50/images/127.0.0.1:5000/test/bb:1/tag?repo=m&tag=v1'),
    ).toBe('/docker/images/127.0.0.1%3A5000%2Ftest%2Fbb%3A1/tag?repo=m&tag=v1');
    expect(rewriteDockerUrl('GET', '/v1.50/images/a/b:1/json')).toBe('/images/a%2Fb%3A1/json');
    expect(rewriteDockerUrl('DELETE', '/v1.50/images/a/b:1?force=1')).toBe(
      '/images/a%2Fb%3A1?force=1',
    );
    expect(rewriteDockerUrl('GET', '/v1.50/images/busybox/history')).toBe(
      '/images/busybox/history',
    );
    expect(rewriteDockerUrl('POST', '/v1.50/images/create?fromImage=x')).toBe(
      '/docker/images/create?fromImage=x',
    );
  });
});
