import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../errors/index.js';
import {
  familiarName,
  formatReference,
  manifestReference,
  parseReference,
  repositoryName,
  splitRepoTag,
} from './index.js';

const d = 'sha256:' + 'a'.repeat(64);
const d512 = 'sha512:' + 'b'.repeat(128);

// [input, canonical, familiar]
const valid: Array<[string, string, string]> = [
  ['ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
  ['bitnami/redis', 'docker.io/bitnami/redis:latest', 'bitnami/redis:latest'],
  ['index.docker.io/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['docker.io/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['docker.io/library/ubuntu:20.04', 'docker.io/library/ubuntu:20.04', 'ubuntu:20.04'],
  ['docker.io/library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
  [
    'registry-1.docker.io/ubuntu',
    'registry-1.docker.io/ubuntu:latest',
    'registry-1.docker.io/ubuntu:latest',
  ],
  ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
  ['localhost:5000/app', 'localhost:5000/app:latest', 'localhost:5000/app:latest'],
  ['localhost', 'docker.io/library/localhost:latest', 'localhost:latest'],
  ['localhost:5000', 'docker.io/library/localhost:5000', 'localhost:5000'],
  ['127.0.0.1:5000/app:v1', '127.0.0.1:5000/app:v1', '127.0.0.1:5000/app:v1'],
  [`myhost:5000/a/b@${d}`, `myhost:5000/a/b@${d}`, `myhost:5000/a/b@${d}`],
  ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000/x:latest'],
  ['[fe80::1]/x:t', '[fe80::1]/x:t', '[fe80::1]/x:t'],
  ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
  ['ubuntu:LATEST', 'docker.io/library/ubuntu:LATEST', 'ubuntu:LATEST'],
  [`ubuntu@${d}`, `docker.io/library/ubuntu@${d}`, `ubuntu@${d}`],
  [`ubuntu:22.04@${d}`, `docker.io/library/ubuntu:22.04@${d}`, `ubuntu:22.04@${d}`],
  [`ubuntu@${d512}`, `docker.io/library/ubuntu@${d512}`, `ubuntu@${d512}`],
  ['a.b.c/d/e/f:g', 'a.b.c/d/e/f:g', 'a.b.c/d/e/f:g'],
  [
    'my-host.example.com/team/app',
    'my-host.example.com/team/app:latest',
    'my-host.example.com/team/app:latest',
  ],
  ['foo__bar/baz', 'docker.io/foo__bar/baz:latest', 'foo__bar/baz:latest'],
  ['foo---bar.baz_q', 'docker.io/library/foo---bar.baz_q:latest', 'foo---bar.baz_q:latest'],
  ['ubuntu:_x', 'docker.io/library/ubuntu:_x', 'ubuntu:_x'],
  [
    `ubuntu:${'t'.repeat(128)}`,
    `docker.io/library/ubuntu:${'t'.repeat(128)}`,
    `ubuntu:${'t'.repeat(128)}`,
  ],
  ['sub.example:443/a', 'sub.example:443/a:latest', 'sub.example:443/a:latest'],
  ['a1', 'docker.io/library/a1:latest', 'a1:latest'],
  [`x/${'a'.repeat(240)}`, `docker.io/x/${'a'.repeat(240)}:latest`, `x/${'a'.repeat(240)}:latest`],
];

// [input, fragment of the reason]
const invalid: Array<[string, string]> = [
  ['', 'empty'],
  ['UBUNTU', 'lowercase'],
  ['foo/Bar', 'lowercase'],
  ['localhost:5000/App', 'lowercase'],
  ['a'.repeat(64), 'image ID'],
  ['ubuntu:', 'tag is empty'],
  ['ubuntu@', 'invalid digest'],
  ['ubuntu:-x', 'invalid tag'],
  [`ubuntu:${'t'.repeat(129)}`, 'invalid tag'],
  ['ubuntu@sha256:abc', 'invalid digest'],
  [`ubuntu@sha256:${'A'.repeat(64)}`, 'lowercase hex'],
  [`ubuntu@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
  [`ubuntu@sha256:${'a'.repeat(63)}`, '64 lowercase hex'],
  ['-ubuntu', 'path component'],
  ['ubuntu-', 'path component'],
  ['foo//bar', 'empty path component'],
  ['foo/', 'empty path component'],
  ['/foo', 'empty path component'],
  ['a..b/c', 'registry host'],
  ['localhost:/x', 'registry host'],
  ['::1/x', 'registry host'],
  ['host:port/x', 'registry host'],
  ['ubuntu latest', 'whitespace'],
  ['foo/bar:a:b', 'invalid tag'],
  ['foo:bar/baz', 'registry host'],
  [`x/${'a'.repeat(250)}`, 'must not exceed 255'],
  ['foo.bar/', 'repository name is empty'],
  ['foo_.bar', 'path component'],
  ['foo___bar', 'path component'],
  ['foo@sha256:' + 'a'.repeat(64) + ':x', 'invalid digest'],
];

describe('parseReference', () => {
  it.each(valid)('normalises %j', (input, canonical, familiar) => {
    const ref = parseReference(input);
    expect(formatReference(ref)).toBe(canonical);
    expect(familiarName(ref)).toBe(familiar);
    // The canonical form parses back to the same reference.
    expect(parseReference(canonical)).toEqual(ref);
  });

  it.each(invalid)('rejects %j', (input, reason) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FlotillaError);
    const err = caught as FlotillaError;
    expect(err.code).toBe('INVALID_REFERENCE');
    expect(err.params.input).toBe(input);
    expect(String(err.params.reason)).toContain(reason);
    expect(err.message).toContain(`"${input}"`);
  });

  it('keeps the tag for display when a digest is also given, and pulls by digest', () => {
    const ref = parseReference(`127.0.0.1:5000/app:v1@${d}`);
    expect(ref).toEqual({ domain: '127.0.0.1:5000', path: 'app', tag: 'v1', digest: d });
    expect(manifestReference(ref)).toBe(d);
    expect(repositoryName(ref)).toBe('127.0.0.1:5000/app');
  });

  it('adds latest only when neither tag nor digest is given', () => {
    expect(parseReference('app').tag).toBe('latest');
    expect(parseReference(`app@${d}`).tag).toBeUndefined();
    expect(manifestReference(parseReference('app'))).toBe('latest');
  });
});

describe('splitRepoTag', () => {
  it('splits the name as written, without normalising it', () => {
    expect(splitRepoTag('busybox:1.36')).toEqual({ repo: 'busybox', tag: '1.36' });
    expect(splitRepoTag('busybox')).toEqual({ repo: 'busybox' });
    expect(splitRepoTag('docker.io/library/busybox:latest')).toEqual({
      repo: 'docker.io/library/busybox',
      tag: 'latest',
    });
  });

  it('does not take a registry port for a tag', () => {
    expect(splitRepoTag('127.0.0.1:5000/app')).toEqual({ repo: '127.0.0.1:5000/app' });
    expect(splitRepoTag('127.0.0.1:5000/app:v1')).toEqual({
      repo: '127.0.0.1:5000/app',
      tag: 'v1',
    });
    expect(splitRepoTag('[::1]:5000/x:t')).toEqual({ repo: '[::1]:5000/x', tag: 't' });
    expect(splitRepoTag('localhost:5000/latest')).toEqual({ repo: 'localhost:5000/latest' });
  });

  // The three copies (lastIndexOf(':') after the last '/') read "app@sha256:…" as repo
  // "app@sha256" with the digest's hex as its tag.
  it('does not take a digest for a tag', () => {
    expect(splitRepoTag(`app@${d}`)).toEqual({ repo: 'app', digest: d });
    expect(splitRepoTag(`127.0.0.1:5000/app:v1@${d}`)).toEqual({
      repo: '127.0.0.1:5000/app',
      tag: 'v1',
      digest: d,
    });
  });

  it('refuses what is not a reference, as parseReference does', () => {
    expect(() => splitRepoTag('app:')).toThrow(FlotillaError);
    expect(() => splitRepoTag('APP:v1')).toThrow(/must be lowercase/);
  });
});
