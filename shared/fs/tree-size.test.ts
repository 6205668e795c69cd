import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { treeSize } from './tree-size.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('treeSize', () => {
  it('adds file and symlink sizes, a hard link once, and stays inside the tree', async () => {
    const d = mkdtempSync(join(tmpdir(), 'flt-size-'));
    dirs.push(d);
    mkdirSync(join(d, 'a/b'), { recursive: true });
    writeFileSync(join(d, 'a/one'), 'x'.repeat(100));
    writeFileSync(join(d, 'a/b/two'), 'y'.repeat(50));
    linkSync(join(d, 'a/one'), join(d, 'a/b/one-again'));
    symlinkSync('/usr', join(d, 'a/usr'));
    expect(await treeSize(d)).toBe(100 + 50 + '/usr'.length);
    expect(await treeSize(join(d, 'missing'))).toBe(0);
  });
});
