import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sample } from './cgroup-stats.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A fake /sys/fs/cgroup and /proc: files given as path → content. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'flt-cgstats-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const proc = {
  'proc/meminfo': 'MemTotal:       16384000 kB\nMemFree: 1 kB\n',
  'proc/stat': 'cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 1 2 3\n',
  'proc/42/net/dev':
    'Inter-|   Receive\n face |bytes\n    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n  eth0: 1500 10 0 0 0 0 0 0 700 7 0 0 0 0 0 0\n',
};

describe('sample', () => {
  it('reads a unified cgroup v2 directory', () => {
    const root = tree({
      ...proc,
      'cg/flotilla/c1/cpu.stat': 'usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n',
      'cg/flotilla/c1/memory.current': '10485760\n',
      'cg/flotilla/c1/memory.max': '67108864\n',
      'cg/flotilla/c1/memory.stat': 'anon 4096\ninactive_file 2097152\nactive_file 0\n',
      'cg/flotilla/c1/pids.current': '3\n',
      'cg/flotilla/c1/io.stat':
        '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    });
    const s = sample('/flotilla/c1', 42, {
      root: join(root, 'cg'),
      unified: true,
      procRoot: join(root, 'proc'),
    });
    expect(s).toEqual({
      cpuNs: 2_500_000,
      memUsage: 10485760 - 2097152,
      memLimit: 67108864,
      pids: 3,
      blkRead: 4196,
      blkWrite: 8192,
      systemNs: 1150 * 1e7,
      netRx: 1500,
      netTx: 700,
    });
  });

  it('shows the host memory as the limit when v2 says max', () => {
    const root = tree({
      ...proc,
      'cg/flotilla/c2/memory.current': '1000\n',
      'cg/flotilla/c2/memory.max': 'max\n',
    });
    const s = sample('/flotilla/c2', 42, {
      root: join(root, 'cg'),
      unified: true,
      procRoot: join(root, 'proc'),
    });
    expect(s.memLimit).toBe(16384000 * 1024);
    expect(s.memUsage).toBe(1000);
  });

  it('reads cgroup v1 hierarchies', () => {
    const root = tree({
      ...proc,
      'cg/cpuacct/flotilla/c3/cpuacct.usage': '123456789\n',
      'cg/memory/flotilla/c3/memory.usage_in_bytes': '5000000\n',
      'cg/memory/flotilla/c3/memory.limit_in_bytes': '9223372036854771712\n',
      'cg/memory/flotilla/c3/memory.stat': 'cache 0\ntotal_inactive_file 1000000\n',
      'cg/pids/flotilla/c3/pids.current': '7\n',
      'cg/blkio/flotilla/c3/blkio.throttle.io_service_bytes':
        '8:0 Read 300\n8:0 Write 400\n8:0 Total 700\nTotal 700\n',
    });
    const s = sample('/flotilla/c3', 42, { root: join(root, 'cg'), procRoot: join(root, 'proc') });
    expect(s).toMatchObject({
      cpuNs: 123456789,
      memUsage: 4000000,
      memLimit: 16384000 * 1024,
      pids: 7,
      blkRead: 300,
      blkWrite: 400,
    });
  });
});
