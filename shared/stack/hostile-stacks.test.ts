// The hostile corpus (test/harness/hostile-stacks.ts): alias and merge-key bombs, deep nesting,
// huge files, bad bytes and types, empty files, duplicate keys, undeclared references, conflicting
// modes and absurd numbers. Each is refused with one line naming file, line and field; the
// per-test timeout is the time bound (the limits, not the machine, keep each far below it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostileStacks } from '../../test/harness/hostile-stacks.js';
import { isFlotillaError } from '../errors/index.js';
import { loadStack } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = hostileStacks(dir);

describe('hostile stack files', () => {
  it('are at least 25, each with the error it must give', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(corpus.filter((h) => !h.error).map((h) => h.name)).toEqual([]);
  });

  it.each(corpus.map((h) => [h.name, h] as const))(
    '%s is refused with one error line',
    (_name, h) => {
      let err: unknown;
      try {
        loadStack('hostile', [basename(h.path)], { cwd: dirname(h.path), env: {} });
      } catch (e) {
        err = e;
      }
      expect(isFlotillaError(err), String(err)).toBe(true);
      const message = (err as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(h.error);
    },
    20_000,
  );
});
