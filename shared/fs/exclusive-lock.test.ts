import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLocked, tryExclusiveLock } from './exclusive-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'flt-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exclusive lock', () => {
  it('is held by one taker at a time and names its holder', async () => {
    const path = join(dir, 'a', 'agent.lock');
    const first = await tryExclusiveLock(path);
    expect(first.held).toBe(true);
    // A second open file description conflicts even within one process, as another agent would.
    expect(await tryExclusiveLock(path)).toEqual({ held: false, pid: process.pid });
    expect(await isLocked(path)).toEqual({ locked: true, pid: process.pid });
    if (first.held) await first.lock.release();
    expect(await isLocked(path)).toEqual({ locked: false, pid: 0 });
  });

  it('goes to exactly one of two takers racing for it', async () => {
    const path = join(dir, 'race.lock');
    const results = await Promise.all([tryExclusiveLock(path), tryExclusiveLock(path)]);
    expect(results.filter((r) => r.held)).toHaveLength(1);
    for (const r of results) if (r.held) await r.lock.release();
  });
});
