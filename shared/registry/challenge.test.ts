import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it('parses a Docker Hub bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/ubuntu:pull',
        },
      },
    ]);
  });

  it('parses several challenges with escapes, bare tokens and odd spacing', () => {
    expect(
      parseChallenges(
        'Newauth realm="apps", type=1, title="Login to \\"apps\\"", BASIC realm="simple" ,bearer realm=x',
      ),
    ).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'x' } },
    ]);
  });

  it('joins repeated headers and keeps commas inside quoted strings', () => {
    expect(
      parseChallenges(['Basic realm="a, b"', 'Bearer realm="r",scope="x:y:pull,push"']),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' } },
      { scheme: 'bearer', params: { realm: 'r', scope: 'x:y:pull,push' } },
    ]);
  });

  it('accepts a scheme with no parameters and a token68', () => {
    expect(parseChallenges('Negotiate, Other abc123==')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'other', params: {}, token68: 'abc123==' },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
  });
});
