import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  extractTar,
  lstatIn,
  packPath,
  pathStat,
  pin,
  pinEntry,
  removeIn,
  resolveIn,
  type FsView,
} from '../../../shared/archive/index.js';
import { FsRootSession } from './fsroot.js';

const sessions: FsRootSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

beforeAll(() => {
  // The helper is built by `npm run build`; build it here when it is missing or stale.
  execFileSync('node', [new URL('../../../scripts/build-native.mjs', import.meta.url).pathname]);
});

/** A container root, a host directory beside it that links inside the root name, and a view. */
function tree(): { view: FsView; root: string; host: string } {
  const base = mkdtempSync(join(tmpdir(), 'flt-fsroot-'));
  const root = join(base, 'root');
  const host = join(base, 'host');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'd'));
  mkdirSync(host);
  writeFileSync(join(host, 'secret'), 'host\n');
  writeFileSync(join(root, 'etc', 'passwd'), 'inside\n');
  writeFileSync(join(root, 'd', 'secret'), 'inside d\n');
  symlinkSync(host, join(root, 'abs')); // on the host: the host directory
  symlinkSync(`../../../../../../..${host}`, join(root, 'climb'));
  const session = FsRootSession.open();
  sessions.push(session);
  return { view: { root, mounts: [], handles: session }, root, host };
}

async function contents(stream: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = tar.extract();
  stream.pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out[e.header.name] = Buffer.concat(chunks).toString();
  }
  return out;
}

describe('kernel-confined container paths (flotilla-fsroot)', () => {
  it('keeps absolute and climbing links inside the root', async () => {
    const { view, host } = tree();
    // A view path: the host directory's name, but below the container's root.
    expect(await resolveIn(view, '/climb/secret')).toBe(`${host}/secret`);
    expect(await pathStat(view, '/abs/secret')).toBeUndefined();
    expect(await pathStat(view, '/climb/secret')).toBeUndefined();
    expect((await lstatIn(view, '/abs'))?.isSymbolicLink()).toBe(true);
    expect(await contents(packPath(view, '/etc', 'etc'))).toEqual({
      'etc/': '',
      'etc/passwd': 'inside\n',
    });
  });

  it('the kernel refuses what a string resolution would let out', async () => {
    const { view, root, host } = tree();
    // Even a path the agent believes clean is resolved in the root: "abs" is a link to the host.
    expect(await view.handles!.pin(root, `abs/secret`, true)).toBeUndefined();
    expect(await view.handles!.pin(root, `climb/secret`, true)).toBeUndefined();
    expect(existsSync(join(host, 'secret'))).toBe(true);
  });

  it('a handle keeps to its directory when a link to the host is swapped in for it', async () => {
    const { view, root, host } = tree();
    const entry = await pinEntry(view, '/d/secret');
    const dir = await pin(view, '/d');
    // The container's move: the checked directory becomes a link to the host directory.
    renameSync(join(root, 'd'), join(root, 'd-old'));
    symlinkSync(host, join(root, 'd'));
    expect(readFileSync(entry.path, 'utf8')).toBe('inside d\n');
    writeFileSync(`${dir!.path}/new`, 'x');
    expect(readFileSync(join(root, 'd-old', 'new'), 'utf8')).toBe('x');
    expect(existsSync(join(host, 'new'))).toBe(false);
    entry.release();
    dir!.release();
  });

  it('extracts and removes without following links to the host', async () => {
    const { view, root, host } = tree();
    mkdirSync(join(root, 'gone'));
    symlinkSync(host, join(root, 'gone', 'link'));
    await removeIn(view, '/gone');
    expect(existsSync(join(root, 'gone'))).toBe(false);
    expect(readFileSync(join(host, 'secret'), 'utf8')).toBe('host\n');
    // A link the archive plants, climbing to where the host directory is beside the root.
    mkdirSync(join(root, 'host'));
    const pack = tar.pack();
    pack.entry({ name: 'rel', type: 'symlink', linkname: '../host' });
    pack.entry({ name: 'rel/secret', mode: 0o600 }, 'overwritten\n');
    pack.finalize();
    await extractTar(view, '/', Readable.from(pack), {
      noOverwriteDirNonDir: true,
      owner: 'none',
    });
    expect(readFileSync(join(host, 'secret'), 'utf8')).toBe('host\n');
    expect(readFileSync(join(root, 'host', 'secret'), 'utf8')).toBe('overwritten\n');
  });

  it('refuses to copy without the helper, by name', () => {
    expect(() =>
      FsRootSession.open({ FLOTILLA_FSROOT_HELPER: '/nonexistent/flotilla-fsroot' }),
    ).toThrow('flotilla-fsroot');
  });
});
