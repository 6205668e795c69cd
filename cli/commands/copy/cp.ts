// `cp`: files between a container and the local filesystem, both ways, with the docker CLI's path
// rules (moby's copy.go, in shared/archive) over the agent's archive routes; `-` is a tar stream.
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { posix, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import {
  decodePathStat,
  extractTar,
  isGoDir,
  isGoSymlink,
  localView,
  packPath,
  prepareArchiveCopy,
  rebaseArchive,
  rebaseFor,
  splitPathDirEntry,
  type CopyInfo,
  type PathStat,
} from '../../../shared/archive/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { formatBytes } from '../../../shared/units/index.js';
import type { CliContext } from '../../context.js';

interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

const STAT_HEADER = 'x-docker-container-path-stat';

/** Docker's splitCpArg: `CONTAINER:PATH`, unless the argument is clearly a local path. */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** An absolute local path keeping a trailing "/" or "/." (they change what is copied). */
function localPath(p: string): string {
  const abs = resolve(p);
  if (p === '.' || p.endsWith('/.')) return abs === '/' ? '/.' : `${abs}/.`;
  return p.endsWith('/') && abs !== '/' ? `${abs}/` : abs;
}

/** Go's wording of a failed syscall (`stat /x: no such file or directory`), as Docker prints it. */
function localError(err: unknown): FlotillaError {
  const e = err as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'not a directory',
    EACCES: 'permission denied',
  };
  if (!e.code || !e.syscall) return err as FlotillaError;
  return new FlotillaError('COPY_FAILED', {
    detail: `${e.syscall} ${e.path ?? ''}: ${text[e.code] ?? e.code}`,
  });
}

async function statInContainer(c: CliContext, id: string, path: string) {
  const res = await c.agent().raw({
    method: 'HEAD',
    path: `/containers/${encodeURIComponent(id)}/archive`,
    query: { path },
  });
  res.resume();
  const header = res.headers[STAT_HEADER];
  if (res.statusCode !== 200 || typeof header !== 'string') return undefined;
  return decodePathStat(header);
}

/** Counts what passes for Docker's "Successfully copied 2.05kB to DEST" (on a terminal only). */
function progress(
  c: CliContext,
  o: CpOptions,
  stream: Readable,
  to: string,
): { stream: Readable; done: () => void } {
  if (o.quiet || !(c.err as { isTTY?: boolean }).isTTY) return { stream, done: () => undefined };
  let bytes = 0;
  const counted = stream.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(null, chunk);
      },
    }),
  );
  stream.on('error', (err) => counted.destroy(err));
  return {
    stream: counted,
    done: () => c.err.write(`Successfully copied ${formatBytes(bytes, 4)} to ${to}\n`),
  };
}

/** Docker's CopyInfoDestinationPath: the local destination, a final symlink followed. */
async function localDestination(path: string): Promise<CopyInfo> {
  let p = path;
  for (let n = 0; ; n++) {
    const st = await lstat(p).catch(() => undefined);
    if (!st) break;
    if (!st.isSymbolicLink()) return { path: p, exists: true, isDir: st.isDirectory() };
    if (n > 10) throw new FlotillaError('COPY_FAILED', { detail: `too many symlinks in ${path}` });
    const target = await readlink(p);
    p = target.startsWith('/') ? target : posix.join(splitPathDirEntry(p).dir, target);
  }
  const parent = await stat(splitPathDirEntry(p).dir).catch((err: unknown) => {
    throw localError(err);
  });
  if (!parent.isDirectory()) throw new FlotillaError('COPY_FAILED', { detail: 'not a directory' });
  return { path: p, exists: false, isDir: false };
}

async function fromContainer(c: CliContext, id: string, src: string, dst: string, o: CpOptions) {
  const dstPath = dst === '-' ? '-' : localPath(dst);
  let srcPath = src;
  let rebaseName: string | undefined;
  if (o.followLink) {
    const s = await statInContainer(c, id, srcPath);
    if (s && isGoSymlink(s.mode))
      ({ path: srcPath, rebaseName } = rebaseFor(srcPath, s.linkTarget));
  }
  const res: IncomingMessage = await c.agent().open({
    path: `/containers/${encodeURIComponent(id)}/archive`,
    query: { path: srcPath },
  });
  if (dstPath === '-') {
    await pipeline(res, c.out);
    return;
  }
  const stat: PathStat = decodePathStat(String(res.headers[STAT_HEADER] ?? ''));
  const { stream, done } = progress(c, o, res, dstPath);
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: isGoDir(stat.mode), rebaseName };
  const archive = rebaseName
    ? rebaseArchive(stream, splitPathDirEntry(srcPath).base, rebaseName)
    : stream;
  const dstInfo = await localDestination(dstPath);
  const { dstDir, content } = prepareArchiveCopy(archive, srcInfo, dstInfo);
  // As Docker: the files become the invoking user's, unless -a keeps the container's owners.
  await extractTar(localView, dstDir, content, {
    noOverwriteDirNonDir: true,
    owner: o.archive ? 'archive' : 'none',
  });
  done();
}

/** Docker's CopyInfoSourcePath: the local source, its parents' symlinks resolved. */
async function localSource(path: string, followLink: boolean): Promise<CopyInfo> {
  try {
    if (followLink) {
      const r = rebaseFor(path, await realpath(path));
      const st = await lstat(r.path.replace(/\/\.?$/, '') || '/');
      return { ...r, exists: true, isDir: st.isDirectory() };
    }
    const { dir, base } = splitPathDirEntry(path);
    const resolved = posix.join(await realpath(dir), base === '.' ? '' : base);
    const p = base === '.' ? `${resolved}/.` : path.endsWith('/') ? `${resolved}/` : resolved;
    const rebaseName =
      path.endsWith('/') && posix.basename(resolved) !== posix.basename(path)
        ? posix.basename(path)
        : undefined;
    const st = await lstat(resolved);
    return { path: p, exists: true, isDir: st.isDirectory(), rebaseName };
  } catch (err) {
    throw localError(err);
  }
}

async function toContainer(c: CliContext, src: string, id: string, dst: string, o: CpOptions) {
  const dstInfo: CopyInfo = { path: dst, exists: false, isDir: false };
  let s = await statInContainer(c, id, dst);
  if (s && isGoSymlink(s.mode)) {
    dstInfo.path = s.linkTarget.startsWith('/')
      ? s.linkTarget
      : posix.join(splitPathDirEntry(dst).dir, s.linkTarget);
    s = await statInContainer(c, id, dstInfo.path);
  }
  if (s) {
    const regular = s.mode < 2 ** 20; // no type bits: a regular file
    if (!isGoDir(s.mode) && !regular)
      throw new FlotillaError('COPY_ARGUMENTS', {
        detail: `destination "${id}:${dst}" must be a directory or a regular file`,
      });
    dstInfo.exists = true;
    dstInfo.isDir = isGoDir(s.mode);
  }
  let content: Readable;
  let dstDir: string;
  if (src === '-') {
    if (!dstInfo.isDir)
      throw new FlotillaError('COPY_ARGUMENTS', {
        detail: `destination "${id}:${dst}" must be a directory`,
      });
    content = process.stdin;
    dstDir = dstInfo.path;
  } else {
    const srcInfo = await localSource(localPath(src), Boolean(o.followLink));
    const clean = srcInfo.path.replace(/\/\.?$/, '') || '/';
    const name = srcInfo.rebaseName || splitPathDirEntry(srcInfo.path).base;
    // Without -a the files arrive as root's, as Docker documents; with it they keep their owners.
    const tar = packPath(localView, clean, name, o.archive ? {} : { owner: { uid: 0, gid: 0 } });
    ({ dstDir, content } = prepareArchiveCopy(tar, srcInfo, dstInfo));
  }
  const counted = progress(c, o, content, `${id}:${dst}`);
  await c.agent().json({
    method: 'PUT',
    path: `/containers/${encodeURIComponent(id)}/archive`,
    query: {
      path: dstDir,
      noOverwriteDirNonDir: 'true',
      copyUIDGID: o.archive ? 'true' : undefined,
    },
    stream: counted.stream,
    headers: { 'content-type': 'application/x-tar' },
  });
  counted.done();
}

export function registerCpCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('cp')
    .description('Copy files/folders between a container and the local filesystem')
    .usage(
      '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       flotilla cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    )
    .argument('<src>', 'CONTAINER:SRC_PATH, or a local SRC_PATH (- reads a tar from stdin)')
    .argument('<dest>', 'a local DEST_PATH (- writes a tar to stdout), or CONTAINER:DEST_PATH')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option(
      '-q, --quiet',
      'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
    )
    .action(async (source: string, destination: string, o: CpOptions) => {
      const c = ctx();
      const src = splitCpArg(source);
      const dst = splitCpArg(destination);
      if (src.container && dst.container)
        throw new FlotillaError('COPY_ARGUMENTS', {
          detail: 'copying between containers is not supported',
        });
      if (src.container)
        return fromContainer(c, src.container, src.path, destination === '-' ? '-' : dst.path, o);
      if (dst.container)
        return toContainer(c, source === '-' ? '-' : src.path, dst.container, dst.path, o);
      throw new FlotillaError('COPY_ARGUMENTS', {
        detail: 'must specify at least one container source',
      });
    });
}

/** `cp` and `container cp`; loaded as its own group so that `run` does not load tar-stream. */
export function registerCopyCommands(program: Command, ctx: () => CliContext): void {
  registerCpCommand(program, ctx);
  const container = program.commands.find((c) => c.name() === 'container');
  if (container) registerCpCommand(container, ctx);
}
