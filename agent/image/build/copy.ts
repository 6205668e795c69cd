// Plans the layer of a COPY or ADD: matches sources (paths and globs) in the context or another
// stage's root filesystem, decides where each lands (Docker's destination rules), adds the missing
// parent directories, applies --chown, and unpacks local archives for ADD. It also describes the
// sources for the cache key. Writing the tar is layer-tar.ts's job.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { listTree, type PlannedEntry } from './layer-tar.js';
import { resolveIn } from './rootfs.js';
import type { SourceFact } from './cache.js';
import { extractContext } from './context.js';

export interface SourceMatch {
  /** Absolute host path of the source. */
  abs: string;
  /** The path as matched, relative to the source root. */
  rel: string;
  isDir: boolean;
}

export class CopyError extends Error {}

const globChars = /[*?[]/;

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Finds the sources; throws CopyError with Docker's wording when one matches nothing. */
export async function matchSources(root: string, sources: string[]): Promise<SourceMatch[]> {
  const out: SourceMatch[] = [];
  for (const src of sources) {
    const clean = posix.normalize(`/${src}`).slice(1).replace(/\/$/, '');
    if (globChars.test(clean)) {
      const re = globToRegExp(clean);
      const depth = clean.split('/').length;
      const hits: SourceMatch[] = [];
      await walkPaths(root, '', depth, async (rel, abs, isDir) => {
        if (re.test(rel)) hits.push({ abs, rel, isDir });
      });
      if (hits.length === 0) throw new CopyError(`no source files were specified (${src})`);
      out.push(...hits);
      continue;
    }
    const abs = clean === '' ? root : await resolveIn(root, clean);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      throw new CopyError(
        `file not found in build context or excluded by .dockerignore: stat ${clean}: file does not exist`,
      );
    }
    out.push({ abs, rel: clean, isDir: st.isDirectory() });
  }
  return out;
}

async function walkPaths(
  root: string,
  rel: string,
  depth: number,
  fn: (rel: string, abs: string, isDir: boolean) => Promise<void>,
): Promise<void> {
  if (depth === 0) return;
  const abs = rel ? join(root, rel) : root;
  for (const n of (await readdir(abs)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    const st = await lstat(join(root, r));
    await fn(r, join(root, r), st.isDirectory());
    if (st.isDirectory()) await walkPaths(root, r, depth - 1, fn);
  }
}

/** Content and metadata of the sources, for the cache key. */
export async function describeSources(matches: SourceMatch[]): Promise<SourceFact[]> {
  const facts: SourceFact[] = [];
  for (const m of matches) {
    const items = m.isDir ? await listTree(m.abs, { prefix: m.rel || '.' }) : [];
    if (!m.isDir) {
      const st = await lstat(m.abs);
      facts.push(await factOf(m.rel, m.abs, st.mode, st.size, st.isSymbolicLink()));
    } else {
      const st = await stat(m.abs);
      facts.push({ path: m.rel || '.', mode: st.mode, size: 0, content: '' });
    }
    for (const e of items)
      facts.push(
        await factOf(e.name, e.source ?? '', e.mode, e.size ?? 0, e.type === 'symlink', e.linkname),
      );
  }
  return facts;
}

async function factOf(
  path: string,
  abs: string,
  mode: number,
  size: number,
  isLink: boolean,
  linkname?: string,
): Promise<SourceFact> {
  if (isLink) return { path, mode, size: 0, content: `->${linkname ?? (await readlink(abs))}` };
  if (!abs) return { path, mode, size, content: linkname ? `=>${linkname}` : '' };
  const h = createHash('sha256');
  for await (const c of createReadStream(abs)) h.update(c as Buffer);
  return { path, mode, size, content: h.digest('hex') };
}

export interface CopyPlanInput {
  matches: SourceMatch[];
  /** Absolute destination inside the image (WORKDIR already applied). */
  dest: string;
  /** The destination was written with a trailing slash. */
  destSlash: boolean;
  /** Current state's root filesystem (read only), to see which directories exist. */
  targetRoot?: string;
  owner?: { uid: number; gid: number };
  /** ADD: unpack local tar archives. */
  extractArchives: boolean;
  /** Scratch space for unpacked archives. */
  tmpDir: string;
}

/** The entries of the layer, parents before children. */
export async function planCopy(input: CopyPlanInput): Promise<PlannedEntry[]> {
  const entries = new Map<string, PlannedEntry>();
  const owner = input.owner ?? { uid: 0, gid: 0 };
  const now = new Date();
  const dest = posix.normalize(input.dest).replace(/^\/+/, '').replace(/\/$/, '');
  const destIsDir =
    input.destSlash || input.matches.length > 1 || (await isDirIn(input.targetRoot, dest));

  const addParents = async (name: string, createOwner?: { uid: number; gid: number }) => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (entries.has(p)) continue;
      const existing = await statIn(input.targetRoot, p);
      if (existing?.isDirectory())
        entries.set(p, {
          name: p,
          type: 'directory',
          mode: existing.mode,
          uid: existing.uid,
          gid: existing.gid,
          mtime: existing.mtime,
        });
      else
        entries.set(p, {
          name: p,
          type: 'directory',
          mode: 0o755,
          ...(createOwner ?? { uid: 0, gid: 0 }),
          mtime: now,
        });
    }
  };
  const put = async (e: PlannedEntry) => {
    await addParents(e.name);
    entries.delete(e.name);
    entries.set(e.name, e);
  };
  const putDir = async (dir: string, st: { mode: number; mtime: Date }) => {
    if (dir === '') return;
    const existing = await statIn(input.targetRoot, dir);
    if (existing?.isDirectory() && !input.owner) return addParents(`${dir}/x`);
    await put({
      name: dir,
      type: 'directory',
      mode: existing?.mode ?? st.mode,
      ...owner,
      mtime: st.mtime,
    });
  };

  let archiveN = 0;
  for (const m of input.matches) {
    if (m.isDir) {
      const st = await stat(m.abs);
      await putDir(dest, { mode: 0o755 | (st.mode & 0o7000), mtime: st.mtime });
      for (const e of await listTree(m.abs, { prefix: dest || undefined, owner }))
        await put(relink(e, dest));
      continue;
    }
    const st = await lstat(m.abs);
    if (input.extractArchives && st.isFile() && (await isArchive(m.abs))) {
      const into = join(input.tmpDir, `archive-${archiveN++}`);
      await extractContext(await openArchive(m.abs), into);
      await putDir(dest, { mode: 0o755, mtime: now });
      // Archive members keep their own owners in Docker; without them in our extraction, root.
      for (const e of await listTree(into, {
        prefix: dest || undefined,
        owner: { uid: 0, gid: 0 },
      }))
        await put(e);
      continue;
    }
    const name = destIsDir ? posix.join(dest, posix.basename(m.rel)) : dest;
    if (destIsDir) await putDir(dest, { mode: 0o755, mtime: now });
    const base = { name, mode: st.mode, ...owner, mtime: st.mtime };
    if (st.isSymbolicLink())
      await put({ ...base, type: 'symlink', linkname: await readlink(m.abs) });
    else await put({ ...base, type: 'file', size: st.size, source: m.abs });
  }
  return [...entries.values()];
}

/** Hard links inside a copied directory keep pointing at the copied name. */
function relink(e: PlannedEntry, _dest: string): PlannedEntry {
  return e;
}

async function statIn(root: string | undefined, rel: string) {
  if (!root || rel === '') return undefined;
  try {
    return await stat(await resolveIn(root, rel));
  } catch {
    return undefined;
  }
}

async function isDirIn(root: string | undefined, rel: string): Promise<boolean> {
  if (rel === '') return true;
  return Boolean((await statIn(root, rel))?.isDirectory());
}

/** A plain or gzip tar, recognised by content as Docker's ADD does (not by name). */
export async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    return bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}

async function openArchive(path: string): Promise<Readable> {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(2);
  await fh.read(head, 0, 2, 0);
  await fh.close();
  const raw = createReadStream(path);
  if (head[0] === 0x1f && head[1] === 0x8b) return raw.pipe(createGunzip());
  return raw;
}
