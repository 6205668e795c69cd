// The build cache: for each step, the state it produced, keyed on the state it started from (whose
// id covers the parent chain and the whole config), the instruction after expansion, and for
// COPY/ADD a hash of the source files' content and metadata. Entries live as small JSON files under
// <imageRoot>/build-cache/; an entry whose layers were since deleted (rmi, prune) counts as a miss.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageConfig } from '../service-types.js';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';
import type { LayerRecord } from '../store/image-store.js';
import type { BuildState } from './state.js';

export interface CacheKeyInput {
  /** Id (config digest) of the state the step starts from. */
  parentId: string;
  /** The instruction after variable expansion, flags included. */
  instruction: string;
  /** COPY/ADD: hash of the sources (see hashSources); RUN: the build-arg environment. */
  extra?: string;
}

export function cacheKey(k: CacheKeyInput): string {
  return createHash('sha256')
    .update(`${k.parentId}\n${k.instruction}\n${k.extra ?? ''}`)
    .digest('hex');
}

interface CacheEntry {
  config: ImageConfig;
  layers: LayerRecord[];
}

export interface CacheStorage {
  hasLayer(layer: LayerRecord): Promise<boolean>;
}

export class BuildCache {
  private readonly dir: string;

  constructor(private readonly deps: { root: string; storage: CacheStorage }) {
    this.dir = join(deps.root, 'build-cache');
  }

  async get(key: string): Promise<BuildState | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.dir, `${key}.json`), 'utf8');
    } catch {
      return undefined;
    }
    let entry: CacheEntry;
    try {
      entry = JSON.parse(text) as CacheEntry;
    } catch {
      return undefined;
    }
    for (const l of entry.layers) if (!(await this.deps.storage.hasLayer(l))) return undefined;
    return { config: entry.config, layers: entry.layers };
  }

  async put(key: string, state: BuildState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const entry: CacheEntry = { config: state.config, layers: state.layers };
    await writeFileAtomic(join(this.dir, `${key}.json`), JSON.stringify(entry));
  }
}

/** One source file as the cache sees it: path relative to its root, metadata, content digest. */
export interface SourceFact {
  path: string;
  mode: number;
  size: number;
  /** File content digest, symlink target, or '' for directories. */
  content: string;
  uid?: number;
  gid?: number;
}

/** A stable hash of a set of sources; mtimes are left out, as Docker's COPY cache does. */
export function hashSources(facts: SourceFact[]): string {
  const h = createHash('sha256');
  for (const f of [...facts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    h.update(
      `${f.path}\0${f.mode.toString(8)}\0${f.size}\0${f.uid ?? ''}:${f.gid ?? ''}\0${f.content}\n`,
    );
  return h.digest('hex');
}
