// `load`: reads an image archive written by `docker save` (classic manifest.json with
// <id>/layer.tar, or Docker 25+'s OCI layout with manifest.json beside it) or a plain OCI image
// layout (index.json only). The tar is spooled to a private temporary directory first, because
// `docker save` writes manifest.json last.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { FlotillaError } from '../../../shared/errors/index.js';
import { parseReference } from '../reference/index.js';
import { chainIds, isDigest, refString, sha256 } from '../names.js';
import type { BlobStore, ImageConfig, LayerApplier } from '../service-types.js';
import type { ImageRecord, LayerRecord } from '../store/image-store.js';
import { storeLayerFile } from './layer-file.js';
import { buildManifest, dockerConfigType } from './manifest.js';
import { bufferStream } from '../pull.js';

const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface LoadedImage {
  record: ImageRecord;
}

interface Candidate {
  configPath: string;
  layerPaths: string[];
  tags: string[];
}

export class ArchiveLoader {
  constructor(private readonly deps: { root: string; content: BlobStore; layers: LayerApplier }) {}

  async load(source: Readable): Promise<LoadedImage[]> {
    const dir = join(this.deps.root, 'tmp', `load-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const links = await spool(source, dir);
      const resolvePath = (name: string) => join(dir, resolveInArchive(name, links));
      const candidates = await this.candidates(resolvePath);
      const out: LoadedImage[] = [];
      for (const c of candidates) out.push({ record: await this.loadOne(c, resolvePath) });
      return out;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async candidates(resolvePath: (n: string) => string): Promise<Candidate[]> {
    const manifestJson = await readJson(resolvePath('manifest.json')).catch(() => undefined);
    if (manifestJson !== undefined) {
      if (!Array.isArray(manifestJson)) throw invalid('manifest.json is not a list');
      return manifestJson.map((e: { Config?: unknown; Layers?: unknown; RepoTags?: unknown }) => {
        if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers))
          throw invalid('manifest.json entry lacks Config or Layers');
        return {
          configPath: e.Config,
          layerPaths: e.Layers.map(String),
          tags: Array.isArray(e.RepoTags) ? e.RepoTags.map(String) : [],
        };
      });
    }
    const index = (await readJson(resolvePath('index.json')).catch(() => undefined)) as
      { manifests?: { digest: string; annotations?: Record<string, string> }[] } | undefined;
    if (!index) throw invalid('neither manifest.json nor index.json found');
    const out: Candidate[] = [];
    const blob = (d: string) => {
      if (!isDigest(d)) throw invalid(`bad digest ${d}`);
      return `blobs/sha256/${d.slice(7)}`;
    };
    const visit = async (desc: { digest: string; annotations?: Record<string, string> }) => {
      const doc = (await readJson(resolvePath(blob(desc.digest)))) as {
        manifests?: { digest: string }[];
        config?: { digest: string };
        layers?: { digest: string }[];
      };
      if (doc.manifests) {
        for (const m of doc.manifests) await visit(m);
        return;
      }
      if (!doc.config || !doc.layers) throw invalid(`blob ${desc.digest} is not a manifest`);
      const name = desc.annotations?.['io.containerd.image.name'];
      out.push({
        configPath: blob(doc.config.digest),
        layerPaths: doc.layers.map((l) => blob(l.digest)),
        tags: name ? [name] : [],
      });
    };
    for (const m of index.manifests ?? []) await visit(m);
    return out;
  }

  private async loadOne(c: Candidate, resolvePath: (n: string) => string): Promise<ImageRecord> {
    const configBytes = await readCapped(resolvePath(c.configPath));
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    const diffIds = config?.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== c.layerPaths.length)
      throw invalid(`config ${c.configPath} does not list one diff id per layer`);
    const chains = chainIds(diffIds);
    const layers: LayerRecord[] = [];
    for (const [i, p] of c.layerPaths.entries()) {
      layers.push(
        await storeLayerFile(this.deps, resolvePath(p), {
          parentChainId: chains[i - 1],
          diffId: diffIds[i],
          chainId: chains[i],
        }),
      );
    }
    const configDigest = sha256(configBytes);
    await this.deps.content.ingest(
      { digest: configDigest, size: configBytes.length },
      bufferStream(configBytes),
    );
    const manifest = buildManifest({ digest: configDigest, size: configBytes.length }, layers);
    await this.deps.content.ingest(
      { digest: manifest.digest, size: manifest.bytes.length },
      bufferStream(manifest.bytes),
    );
    return {
      id: configDigest,
      manifestDigest: manifest.digest,
      manifestMediaType: manifest.mediaType,
      configMediaType: dockerConfigType,
      layers,
      repoTags: c.tags.map((t) => refString(parseReference(t))),
      repoDigests: [],
      created: config.created ?? new Date(0).toISOString(),
      sizeBytes: layers.reduce((a, l) => a + l.sizeBytes, 0),
      sourceRepos: [],
      addedAt: new Date().toISOString(),
    };
  }
}

function invalid(reason: string): FlotillaError {
  return new FlotillaError('IMAGE_ARCHIVE_INVALID', { reason });
}

/** Normalises an archive path; nothing may name a place outside the archive. */
export function safeName(name: string): string {
  const n = posix.normalize(name.replace(/^(\.\/|\/)+/, '')).replace(/\/+$/, '');
  if (n === '' || n === '.' || n === '..' || n.startsWith('../') || posix.isAbsolute(n))
    throw invalid(`entry "${name}" is outside the archive`);
  return n;
}

/** Follows archive-internal symlinks (classic `docker save` links duplicate layers). */
function resolveInArchive(name: string, links: Map<string, string>): string {
  let n = safeName(name);
  for (let hops = 0; links.has(n); hops++) {
    if (hops > 40) throw invalid(`symlink loop at "${name}"`);
    const target = links.get(n) as string;
    n = safeName(posix.isAbsolute(target) ? target : posix.join(posix.dirname(n), target));
  }
  return n;
}

async function spool(source: Readable, dir: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      let name: string;
      try {
        name = safeName(h.name);
      } catch (err) {
        entry.resume();
        throw err;
      }
      if (h.type === 'file' || h.type === 'contiguous-file') {
        const path = join(dir, name);
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        await pipeline(entry, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
        continue;
      }
      if (h.type === 'symlink' && h.linkname) links.set(name, h.linkname);
      entry.resume();
    }
  })();
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  try {
    await done;
  } catch (err) {
    source.unpipe(extract);
    source.resume();
    if (err instanceof FlotillaError) throw err;
    throw invalid(`cannot read the tar: ${(err as Error).message}`);
  }
  return links;
}

async function readCapped(path: string): Promise<Buffer> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw invalid(`${posix.basename(path)} is missing`);
  if (st.size > MAX_JSON_BYTES) throw invalid(`${posix.basename(path)} is too large`);
  return readFile(path);
}

async function readJson(path: string): Promise<unknown> {
  const bytes = await readCapped(path);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid(`${posix.basename(path)} is not JSON`);
  }
}
