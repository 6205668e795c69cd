import { describe, expect, it } from 'vitest';
import { canSkipDir, isIgnored, parseDockerignore } from './dockerignore.js';

describe('.dockerignore matching', () => {
  const p = parseDockerignore(
    [
      '# comment',
      'secret.txt',
      '*.log',
      '!keep.log',
      'build/',
      '**/*.tmp',
      'docs/**/draft*',
      '',
    ].join('\n'),
  );

  it('excludes plain names, globs and whole directories', () => {
    expect(isIgnored(p, 'secret.txt')).toBe(true);
    expect(isIgnored(p, 'app.log')).toBe(true);
    expect(isIgnored(p, 'build/out/a.js')).toBe(true);
    expect(isIgnored(p, 'src/main.ts')).toBe(false);
  });

  it('keeps what a later ! pattern re-includes', () => {
    expect(isIgnored(p, 'keep.log')).toBe(false);
  });

  it('lets * stay within one segment and ** cross segments', () => {
    expect(isIgnored(p, 'sub/app.log')).toBe(false);
    expect(isIgnored(p, 'a/b/c.tmp')).toBe(true);
    expect(isIgnored(p, 'x.tmp')).toBe(true);
    expect(isIgnored(p, 'docs/draft1.md')).toBe(true);
    expect(isIgnored(p, 'docs/a/b/draft2.md')).toBe(true);
    expect(isIgnored(p, 'docs/final.md')).toBe(false);
  });

  it('skips a directory only when no exception can reach inside it', () => {
    expect(canSkipDir(parseDockerignore('build'), 'build')).toBe(true);
    expect(canSkipDir(parseDockerignore('build\n!build/keep'), 'build')).toBe(false);
    expect(isIgnored(parseDockerignore('build\n!build/keep'), 'build/keep')).toBe(false);
  });

  it('strips leading slashes and ./', () => {
    const q = parseDockerignore('/a/b\n./c');
    expect(isIgnored(q, 'a/b')).toBe(true);
    expect(isIgnored(q, 'c')).toBe(true);
  });
});
