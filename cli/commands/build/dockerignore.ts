// .dockerignore as Docker reads it: one pattern a line, `#` comments, `!` re-includes, `*` and `?`
// within one path segment, `**` across any number of them, and a pattern that matches a directory
// excludes everything below it. The last matching pattern decides.
import { posix } from 'node:path';

export interface IgnorePattern {
  negate: boolean;
  source: string;
  re: RegExp;
}

export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (line === '') continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1).trim();
    }
    let p = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (p === '.' || p === '') p = '';
    out.push({ negate, source: p, re: patternToRegExp(p) });
  }
  return out;
}

export function patternToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          // `**/` : zero or more whole directories
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether `path` (relative, `/`-separated) is excluded: the last pattern matching it or a parent wins. */
export function isIgnored(patterns: IgnorePattern[], path: string): boolean {
  let ignored = false;
  const parents: string[] = [];
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
  for (const p of patterns) {
    if (ignored === !p.negate) continue; // cannot change the outcome
    let hit = p.re.test(path);
    if (!hit) hit = parents.some((d) => p.re.test(d));
    if (hit) ignored = !p.negate;
  }
  return ignored;
}

/** A directory may be skipped whole when it is ignored and no `!` pattern could re-include below it. */
export function canSkipDir(patterns: IgnorePattern[], dir: string): boolean {
  if (!isIgnored(patterns, dir)) return false;
  return !patterns.some(
    (p) => p.negate && (p.source.startsWith(`${dir}/`) || /[*?[]/.test(p.source)),
  );
}
