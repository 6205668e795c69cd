import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeLine, upperChanges } from './changes.js';

describe('upperChanges', () => {
  it('reports added, changed and (without root) no whiteouts, parents first', async () => {
    const root = mkdtempSync('/tmp/flt-changes-');
    const lower = join(root, 'lower');
    const upper = join(root, 'upper');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    writeFileSync(join(lower, 'etc', 'hosts'), 'x');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    writeFileSync(join(upper, 'etc', 'hosts'), 'y');
    mkdirSync(join(upper, 'tmp', 'new'), { recursive: true });
    writeFileSync(join(upper, 'tmp', 'new', 'f'), 'z');
    // A directory whose own attributes changed is a change.
    utimesSync(join(lower, 'etc'), 1_000_000, 1_000_000);
    utimesSync(join(upper, 'etc'), 2_000_000, 2_000_000);
    const changes = await upperChanges(upper, [lower]);
    expect(changes.map(changeLine)).toEqual([
      'C /etc',
      'C /etc/hosts',
      'A /tmp',
      'A /tmp/new',
      'A /tmp/new/f',
    ]);
  });

  it('leaves out a directory overlayfs only copied up, unless a child was added or deleted', async () => {
    const root = mkdtempSync('/tmp/flt-changes-');
    const lower = join(root, 'lower');
    const upper = join(root, 'upper');
    for (const dir of [lower, upper]) {
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'data', 'seed'), 'x');
      mkdirSync(join(dir, 'tmp'));
    }
    writeFileSync(join(upper, 'data', 'seed'), 'xy');
    mkdirSync(join(upper, 'tmp', 'd'));
    for (const dir of [lower, upper])
      for (const d of ['data', 'tmp']) utimesSync(join(dir, d), 1_000_000, 1_000_000);
    const changes = await upperChanges(upper, [lower]);
    expect(changes.map(changeLine)).toEqual(['C /data/seed', 'C /tmp', 'A /tmp/d']);
  });
});
