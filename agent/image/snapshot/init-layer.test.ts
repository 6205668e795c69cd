import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeInitLayer } from './init-layer.js';

describe('writeInitLayer', () => {
  it('makes the mount points, with the image directory attributes where the image has them', async () => {
    const root = mkdtempSync('/tmp/flt-init-');
    const top = join(root, 'top');
    const base = join(root, 'base');
    mkdirSync(join(base, 'etc'), { recursive: true });
    chmodSync(join(base, 'etc'), 0o750);
    utimesSync(join(base, 'etc'), 1_000_000, 1_000_000);
    mkdirSync(top);
    const init = join(root, 'init');
    mkdirSync(init);
    await writeInitLayer(init, { dirs: ['proc', 'dev'], files: ['etc/hosts', 'etc/hostname'] }, [
      top,
      base,
    ]);
    expect(readdirSync(init).sort()).toEqual(['dev', 'etc', 'proc']);
    expect(readdirSync(join(init, 'etc')).sort()).toEqual(['hostname', 'hosts']);
    expect(statSync(join(init, 'etc', 'hosts')).size).toBe(0);
    const etc = statSync(join(init, 'etc'));
    expect(etc.mode & 0o7777).toBe(0o750);
    expect(etc.mtimeMs).toBe(1_000_000_000);
    expect(statSync(join(init, 'proc')).mode & 0o7777).toBe(0o755);
  });
});
