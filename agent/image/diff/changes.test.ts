import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
    const changes = await upperChanges(upper, [lower]);
    expect(changes.map(changeLine)).toEqual([
      'C /etc',
      'C /etc/hosts',
      'A /tmp',
      'A /tmp/new',
      'A /tmp/new/f',
    ]);
  });
});
