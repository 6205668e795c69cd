// Builds layer tars and whole images offline, for tests of any component (pull, unpack, runtime,
// build). Everything is deterministic: same input, same digests.
//
// Stable API (other engineers depend on it; extend additively):
//   buildLayerTar(entries: LayerEntry[], opts?: { compression?: 'gzip' | 'zstd' | 'none' })
//     → Promise<LayerBlob>   { bytes, digest, size, diffId, mediaType, compression }
//   buildImage({ layers: LayerInput[], config?: ImageConfigInput, format?: 'oci' | 'docker',
//                compression?: 'gzip' | 'zstd' | 'none' })
//     → Promise<BuiltImage>  { configBytes, configDigest, manifestBytes, manifestDigest,
//                             manifestMediaType, config, layers: LayerBlob[] }
//   busyboxLayer(): LayerEntry[]   /bin/busybox (Debian busybox-static) plus applet symlinks,
//                                  /etc/passwd, /etc/group, /tmp 1777, /root, /var, /proc, /sys, /dev
//   hostileLayers(sentinel: string): Record<'dotdot' | 'absolute' | 'symlinkEscape' | 'hardlinkEscape'
//                                   | 'symlinkParent', LayerEntry[]>
//   sha256(bytes): string   "sha256:<hex>"
//
// LayerEntry kinds: file (content, mode, uid, gid, mtime), dir, symlink, hardlink, whiteout
// (writes `.wh.NAME`), opaque (writes `DIR/.wh..wh..opq`), fifo, chardev, blockdev. Names longer
// than 100 bytes go through PAX automatically; `pax` adds raw PAX records (e.g. uid > 2097151).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface EntryMeta {
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  /** Extra PAX records for this entry (keys like "uid", "SCHILY.xattr.user.x"). */
  pax?: Record<string, string>;
}

export type LayerEntry =
  | ({ type: 'file'; path: string; content?: string | Buffer } & EntryMeta)
  | ({ type: 'dir'; path: string } & EntryMeta)
  | ({ type: 'symlink'; path: string; target: string } & EntryMeta)
  | ({ type: 'hardlink'; path: string; target: string } & EntryMeta)
  | ({ type: 'whiteout'; path: string } & EntryMeta)
  | ({ type: 'opaque'; dir: string } & EntryMeta)
  | ({ type: 'fifo'; path: string } & EntryMeta)
  | ({ type: 'chardev' | 'blockdev'; path: string; major: number; minor: number } & EntryMeta);

export interface LayerBlob {
  /** The stored (possibly compressed) bytes: what goes in the registry and the content store. */
  bytes: Buffer;
  digest: string;
  size: number;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  mediaType: string;
  compression: 'gzip' | 'zstd' | 'none';
}

export const DEFAULT_MTIME = new Date('2024-01-02T03:04:05Z');

export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The uncompressed tar bytes of a layer. */
export async function buildLayerTarBytes(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const e of entries) {
    const base = {
      mode: e.mode,
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? DEFAULT_MTIME,
      ...(e.pax ? { pax: e.pax } : {}),
    };
    const add = (header: Record<string, unknown>, content?: Buffer) =>
      new Promise<void>((resolve, reject) => {
        const cb = (err?: Error | null) => (err ? reject(err) : resolve());
        if (content) pack.entry(header as unknown as tar.Header, content, cb);
        else pack.entry(header as unknown as tar.Header, cb);
      });
    switch (e.type) {
      case 'file': {
        const content =
          typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
        await add(
          { ...base, name: e.path, type: 'file', mode: e.mode ?? 0o644, size: content.length },
          content,
        );
        break;
      }
      case 'dir':
        await add({ ...base, name: e.path, type: 'directory', mode: e.mode ?? 0o755 });
        break;
      case 'symlink':
        await add({
          ...base,
          name: e.path,
          type: 'symlink',
          linkname: e.target,
          mode: e.mode ?? 0o777,
        });
        break;
      case 'hardlink':
        await add({
          ...base,
          name: e.path,
          type: 'link',
          linkname: e.target,
          mode: e.mode ?? 0o644,
        });
        break;
      case 'whiteout': {
        const i = e.path.lastIndexOf('/');
        const name = i < 0 ? `.wh.${e.path}` : `${e.path.slice(0, i)}/.wh.${e.path.slice(i + 1)}`;
        await add({ ...base, name, type: 'file', mode: e.mode ?? 0o644, size: 0 }, Buffer.alloc(0));
        break;
      }
      case 'opaque':
        await add(
          {
            ...base,
            name: `${e.dir.replace(/\/$/, '')}/.wh..wh..opq`,
            type: 'file',
            mode: 0o644,
            size: 0,
          },
          Buffer.alloc(0),
        );
        break;
      case 'fifo':
        await add({ ...base, name: e.path, type: 'fifo', mode: e.mode ?? 0o644 });
        break;
      case 'chardev':
      case 'blockdev':
        await add({
          ...base,
          name: e.path,
          type: e.type === 'chardev' ? 'character-device' : 'block-device',
          mode: e.mode ?? 0o666,
          devmajor: e.major,
          devminor: e.minor,
        });
        break;
    }
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function compress(tarBytes: Buffer, compression: 'gzip' | 'zstd' | 'none'): Buffer {
  if (compression === 'gzip') return gzipSync(tarBytes);
  if (compression === 'zstd')
    return execFileSync('zstd', ['-q', '-c', '-3'], { input: tarBytes, maxBuffer: 1 << 30 });
  return tarBytes;
}

export async function buildLayerTar(
  entries: LayerEntry[],
  opts: { compression?: 'gzip' | 'zstd' | 'none'; format?: 'oci' | 'docker' } = {},
): Promise<LayerBlob> {
  const compression = opts.compression ?? 'gzip';
  const plain = await buildLayerTarBytes(entries);
  const bytes = compress(plain, compression);
  const oci = (opts.format ?? 'oci') === 'oci';
  const mediaType = oci
    ? `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`
    : compression === 'zstd'
      ? 'application/vnd.docker.image.rootfs.diff.tar.zstd'
      : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  return {
    bytes,
    digest: sha256(bytes),
    size: bytes.length,
    diffId: sha256(plain),
    mediaType,
    compression,
  };
}

export interface ImageConfigInput {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  StopSignal?: string;
  Healthcheck?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BuiltImage {
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDigest: string;
  manifestBytes: Buffer;
  manifestDigest: string;
  manifestMediaType: string;
  layers: LayerBlob[];
}

/** Builds a single-platform image (linux/amd64) from layers given as entries or prebuilt blobs. */
export async function buildImage(opts: {
  layers: Array<LayerEntry[] | LayerBlob>;
  config?: ImageConfigInput;
  format?: 'oci' | 'docker';
  compression?: 'gzip' | 'zstd' | 'none';
  architecture?: string;
}): Promise<BuiltImage> {
  const format = opts.format ?? 'oci';
  const layers: LayerBlob[] = [];
  for (const l of opts.layers) {
    layers.push(
      Array.isArray(l) ? await buildLayerTar(l, { compression: opts.compression, format }) : l,
    );
  }
  const config = {
    created: DEFAULT_MTIME.toISOString(),
    architecture: opts.architecture ?? 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(opts.config ?? {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({
      created: DEFAULT_MTIME.toISOString(),
      created_by: 'flotilla test harness',
    })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const oci = format === 'oci';
  const manifestMediaType = oci
    ? 'application/vnd.oci.image.manifest.v1+json'
    : 'application/vnd.docker.distribution.manifest.v2+json';
  const manifest = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: {
      mediaType: oci
        ? 'application/vnd.oci.image.config.v1+json'
        : 'application/vnd.docker.container.image.v1+json',
      digest: sha256(configBytes),
      size: configBytes.length,
    },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  return {
    config,
    configBytes,
    configDigest: sha256(configBytes),
    manifestBytes,
    manifestDigest: sha256(manifestBytes),
    manifestMediaType,
    layers,
  };
}

export const BUSYBOX_APPLETS = [
  'sh',
  'ash',
  'echo',
  'cat',
  'ls',
  'sleep',
  'true',
  'false',
  'env',
  'id',
  'wget',
  'nc',
  'httpd',
  'ps',
  'top',
  'kill',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'touch',
  'grep',
  'sed',
  'awk',
  'head',
  'tail',
  'wc',
  'date',
  'hostname',
  'ip',
  'ifconfig',
  'ping',
  'nslookup',
  'printenv',
  'pwd',
  'whoami',
  'uname',
  'chmod',
  'chown',
  'ln',
  'test',
  '[',
  'stat',
  'df',
  'du',
  'mount',
  'umount',
  'tee',
  'yes',
  'seq',
  'sort',
  'uniq',
  'tr',
  'cut',
  'xargs',
  'find',
  'vi',
  'less',
  'more',
  'dd',
  'tar',
  'gzip',
  'gunzip',
  'nohup',
  'timeout',
  'usleep',
  'readlink',
  'realpath',
  'basename',
  'dirname',
  'expr',
  'printf',
  'md5sum',
  'sha256sum',
  'free',
  'uptime',
  'pidof',
  'pgrep',
  'pkill',
  'watch',
  'netstat',
  'route',
  'telnet',
  'traceroute',
];

/**
 * A runnable base layer: Debian's statically linked busybox at /bin/busybox plus symlinks for the
 * common applets, a root and a nobody user, and the usual top-level dirs.
 */
export function busyboxLayer(opts: { busyboxPath?: string } = {}): LayerEntry[] {
  const busybox = readFileSync(opts.busyboxPath ?? '/bin/busybox');
  return [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/busybox', content: busybox, mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): LayerEntry => ({
      type: 'symlink',
      path: `bin/${a}`,
      target: 'busybox',
    })),
    { type: 'dir', path: 'etc' },
    {
      type: 'file',
      path: 'etc/passwd',
      content:
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    { type: 'file', path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'var' },
    { type: 'dir', path: 'proc' },
    { type: 'dir', path: 'sys' },
    { type: 'dir', path: 'dev' },
    { type: 'dir', path: 'usr' },
    { type: 'dir', path: 'usr/bin' },
  ];
}

/**
 * Layers that a safe unpacker must refuse. `sentinel` is an absolute host path (e.g. in a temp
 * dir) that each layer tries to create; a test asserts it never appears.
 */
export function hostileLayers(
  sentinel: string,
): Record<
  'dotdot' | 'absolute' | 'symlinkEscape' | 'hardlinkEscape' | 'symlinkParent',
  LayerEntry[]
> {
  const rel = sentinel.replace(/^\/+/, '');
  const dir = sentinel.slice(0, sentinel.lastIndexOf('/')) || '/';
  const base = sentinel.slice(sentinel.lastIndexOf('/') + 1);
  return {
    // ../../../../<sentinel>: climbs out of the layer dir.
    dotdot: [{ type: 'file', path: `${'../'.repeat(16)}${rel}`, content: 'pwned' }],
    // Absolute name combined with traversal.
    absolute: [{ type: 'file', path: `/../..${sentinel}`, content: 'pwned' }],
    // The classic: a symlink to the sentinel's directory, then a file through it.
    symlinkEscape: [
      { type: 'symlink', path: 'escape', target: dir },
      { type: 'file', path: `escape/${base}`, content: 'pwned' },
    ],
    // A hard link to a host file, outside the layer.
    hardlinkEscape: [
      { type: 'hardlink', path: 'stolen', target: `../../../../../../../..${sentinel}` },
    ],
    // A relative symlink climbing out, then a nested write through it.
    symlinkParent: [
      { type: 'dir', path: 'a' },
      { type: 'symlink', path: 'a/up', target: '../../../../../../../../../..' + dir },
      { type: 'file', path: `a/up/${base}`, content: 'pwned' },
    ],
  };
}
