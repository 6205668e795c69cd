// Packs a build context directory as a tar stream for the agent, leaving out what .dockerignore
// excludes. The Dockerfile and .dockerignore are always sent (the agent needs the Dockerfile; COPY
// of either is still refused by the patterns' intent only when they are ignored, as Docker does).
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { canSkipDir, isIgnored, parseDockerignore, type IgnorePattern } from './dockerignore.js';

export async function readIgnoreFile(dir: string): Promise<IgnorePattern[]> {
  try {
    return parseDockerignore(await readFile(join(dir, '.dockerignore'), 'utf8'));
  } catch {
    return [];
  }
}

/** Lists the context's entries in tar order (parents first), honouring the patterns. */
export async function contextEntries(
  dir: string,
  patterns: IgnorePattern[],
  always: string[] = [],
): Promise<string[]> {
  const out: string[] = [];
  const keep = new Set(always);
  const walk = async (rel: string): Promise<void> => {
    const abs = rel ? join(dir, rel) : dir;
    for (const n of (await readdir(abs)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = await lstat(join(dir, r));
      if (st.isDirectory()) {
        if (canSkipDir(patterns, r)) continue;
        if (!isIgnored(patterns, r)) out.push(r);
        await walk(r);
      } else if (keep.has(r) || !isIgnored(patterns, r)) out.push(r);
    }
  };
  await walk('');
  return out;
}

export function packContext(dir: string, entries: string[]): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const rel of entries) {
        const abs = join(dir, rel);
        const st = await lstat(abs);
        const base = { name: rel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
        if (st.isDirectory()) {
          pack.entry({ ...base, name: `${rel}/`, type: 'directory' });
        } else if (st.isSymbolicLink()) {
          pack.entry({ ...base, type: 'symlink', linkname: await readlink(abs) });
        } else if (st.isFile()) {
          await new Promise<void>((resolve, reject) => {
            const w = pack.entry({ ...base, type: 'file', size: st.size }, (err) =>
              err ? reject(err) : resolve(),
            );
            const r = createReadStream(abs);
            r.on('error', reject);
            r.pipe(w);
          });
        }
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as unknown as Readable;
}
