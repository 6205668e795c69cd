import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secureAgentRoots } from './data-root.js';

const modeOf = (p: string) => statSync(p).mode & 0o7777;

describe('secureAgentRoots', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tightens a data root left 0755 by an older version, and what is one level below it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-roots-'));
    const dataRoot = join(dir, 'data');
    const execRoot = join(dir, 'exec');
    mkdirSync(join(dataRoot, 'containers', 'abc'), { recursive: true, mode: 0o755 });
    mkdirSync(join(dataRoot, 'image', 'layers'), { recursive: true, mode: 0o755 });
    mkdirSync(join(execRoot, 'b'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dataRoot, 'image', 'images.json'), '{}', { mode: 0o644 });
    const outside = join(dir, 'outside');
    mkdirSync(outside, { mode: 0o755 });
    symlinkSync(outside, join(dataRoot, 'link'));
    expect(modeOf(dataRoot)).toBe(0o755);

    await secureAgentRoots({ dataRoot, execRoot });

    expect(modeOf(dataRoot)).toBe(0o710);
    expect(modeOf(execRoot)).toBe(0o710);
    for (const d of ['containers', 'image', 'volumes', 'network', 'build', 'image/layers'])
      expect([d, modeOf(join(dataRoot, d))]).toEqual([d, 0o700]);
    expect(modeOf(join(dataRoot, 'image', 'images.json'))).toBe(0o600);
    expect(modeOf(join(execRoot, 'b'))).toBe(0o700);
    // A symlink is never followed: what it points at keeps its mode.
    expect(modeOf(outside)).toBe(0o755);
  });

  it('creates missing roots 0710 and is idempotent', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-roots-'));
    const roots = { dataRoot: join(dir, 'a', 'data'), execRoot: join(dir, 'a', 'exec') };
    await secureAgentRoots(roots);
    await secureAgentRoots(roots);
    expect(modeOf(roots.dataRoot)).toBe(0o710);
    expect(modeOf(roots.execRoot)).toBe(0o710);
    expect(modeOf(join(roots.dataRoot, 'containers'))).toBe(0o700);
  });
});
