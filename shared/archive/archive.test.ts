import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  extractTar,
  packPath,
  pathStat,
  prepareArchiveCopy,
  resolveIn,
  splitPathDirEntry,
} from './index.js';
import type { FsView } from './index.js';

function tree(): { view: FsView; root: string; vol: string } {
  const base = mkdtempSync(join(tmpdir(), 'flt-archive-'));
  const root = join(base, 'root');
  const vol = join(base, 'vol');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'data'));
  mkdirSync(vol);
  writeFileSync(join(base, 'host-file'), 'host\n');
  writeFileSync(join(root, 'etc', 'hosts'), 'inside\n');
  writeFileSync(join(vol, 'v.txt'), 'volume\n');
  symlinkSync('/../../../host-file', join(root, 'etc', 'evil'));
  symlinkSync('../../..', join(root, 'up'));
  return {
    view: { root, mounts: [{ destination: '/data', source: vol, readOnly: true }] },
    root,
    vol,
  };
}

async function names(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  const ex = tar.extract();
  stream.pipe(ex);
  for await (const e of ex) {
    out.push(e.header.name);
    e.resume();
  }
  return out;
}

describe('a view of a container filesystem', () => {
  it('resolves symlinks like chroot: absolute targets and ".." never leave the root', async () => {
    const { view } = tree();
    expect(await resolveIn(view, '/etc/evil')).toBe('/host-file');
    expect(await resolveIn(view, '/up/etc/hosts')).toBe('/etc/hosts');
    expect(await resolveIn(view, '/etc/evil', false)).toBe('/etc/evil');
    expect(await pathStat(view, '/etc/evil/')).toBeUndefined();
    const s = await pathStat(view, '/etc/evil');
    expect(s?.stat).toMatchObject({ name: 'evil', linkTarget: '/host-file' });
    expect((await pathStat(view, '/data'))?.stat.mode).toBe(2 ** 31 + 0o755);
  });

  it('archives a directory across its mounts, named as asked, "." for its contents', async () => {
    const { view } = tree();
    expect(await names(packPath(view, '/data', 'data'))).toEqual(['data/', 'data/v.txt']);
    expect(await names(packPath(view, '/data', '.'))).toEqual(['./', './v.txt']);
  });

  it('ends quietly when the reader goes away in the middle of a file', async () => {
    const { view, vol } = tree();
    writeFileSync(join(vol, 'big'), Buffer.alloc(4 * 1024 * 1024));
    const s = packPath(view, '/data', 'data');
    for await (const chunk of s) {
      expect(chunk.length).toBeGreaterThan(0);
      break; // destroys the stream, as a client closing the connection does
    }
    // An unhandled rejection from the abandoned walk would fail this file.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  });

  it('extracts inside the root only and refuses read-only mounts', async () => {
    const { view, root } = tree();
    const pack = tar.pack();
    pack.entry({ name: '../../../../escaped.txt' }, 'x');
    pack.entry({ name: 'evil' }, 'overwritten');
    pack.finalize();
    await extractTar(view, '/etc', Readable.from(pack), {
      noOverwriteDirNonDir: true,
      owner: 'none',
    });
    expect(readFileSync(join(root, 'etc', 'escaped.txt'), 'utf8')).toBe('x');
    expect(readFileSync(join(root, '..', 'host-file'), 'utf8')).toBe('host\n');
    expect(readFileSync(join(root, 'etc', 'evil'), 'utf8')).toBe('overwritten');
    const ro = tar.pack();
    ro.entry({ name: 'n.txt' }, 'n');
    ro.finalize();
    await expect(
      extractTar(view, '/data', Readable.from(ro), { noOverwriteDirNonDir: true, owner: 'none' }),
    ).rejects.toThrow('mounted volume is marked read-only');
  });

  it("plans Docker's copies: a file to a new name, a directory onto a file refused", async () => {
    const { view, root } = tree();
    const src = { path: '/etc/hosts', exists: true, isDir: false };
    const plan = prepareArchiveCopy(packPath(view, '/etc/hosts', 'hosts'), src, {
      path: join(root, 'renamed'),
      exists: false,
      isDir: false,
    });
    expect(plan.dstDir).toBe(root);
    await extractTar({ root: '/', mounts: [] }, plan.dstDir, plan.content, {
      noOverwriteDirNonDir: true,
      owner: 'none',
    });
    expect(readFileSync(join(root, 'renamed'), 'utf8')).toBe('inside\n');
    expect(() =>
      prepareArchiveCopy(
        Readable.from([]),
        { path: '/etc', exists: true, isDir: true },
        {
          path: join(root, 'renamed'),
          exists: true,
          isDir: false,
        },
      ),
    ).toThrow('cannot copy directory');
    expect(splitPathDirEntry('/a/b/.')).toEqual({ dir: '/a/b', base: '.' });
    expect(readlinkSync(join(root, 'up'))).toBe('../../..');
  });
});
