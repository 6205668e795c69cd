// A Prometheus image built offline from Debian's `prometheus` package (there is no Docker Hub
// here): the binary, the shared libraries `ldd` lists and the dynamic loader, laid out and
// configured like the upstream prom/prometheus image. The .deb is cached in /var/cache/flotilla-test
// (deploy/install-deps.sh fills it); a missing package is fetched with `apt-get download`.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, busyboxLayer, type BuiltImage, type LayerEntry } from './image-builder.js';

export const TEST_CACHE_DIR = '/var/cache/flotilla-test';
const NOBODY = 65534;

/** The cached prometheus .deb, downloaded first if absent; throws saying how to provide it. */
export function prometheusDeb(cacheDir = TEST_CACHE_DIR): string {
  const cached = () =>
    existsSync(cacheDir)
      ? readdirSync(cacheDir)
          .filter((f) => /^prometheus_.*\.deb$/.test(f))
          .sort()
      : [];
  if (cached().length === 0) {
    mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
    // Into a scratch directory first: an interrupted download must not leave a truncated .deb
    // in the cache for every later run to trip over.
    const scratch = mkdtempSync(join(cacheDir, '.download-'));
    try {
      execFileSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: scratch, stdio: 'pipe' });
      for (const f of readdirSync(scratch).filter((n) => n.endsWith('.deb')))
        renameSync(join(scratch, f), join(cacheDir, f));
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(
        `no Prometheus package in ${cacheDir}, and \`apt-get download prometheus\` failed ` +
          `(run deploy/install-deps.sh where Debian's apt repositories are reachable): ` +
          (e.stderr?.toString().trim() || e.message),
        { cause: err },
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const debs = cached();
  if (debs.length === 0) throw new Error(`apt-get download prometheus left no .deb in ${cacheDir}`);
  return join(cacheDir, debs.at(-1)!);
}

/** Absolute paths of the shared objects `ldd BINARY` lists, the dynamic loader included. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)";
    // linux-vdso has no file.
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libs.push(m[1]);
  }
  if (libs.length === 0) throw new Error(`ldd lists no libraries for ${binary}:\n${out}`);
  return libs;
}

/** Parent directories of PATH (relative), outermost first: a/b/c → [a, a/b]. */
function parents(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * The image: busybox (as upstream's base) plus /bin/prometheus, its libraries at the paths ldd
 * names (copied, not linked), /etc/prometheus/prometheus.yml from the package, the console
 * directories, and /prometheus owned by nobody. USER, WORKDIR, VOLUME, EXPOSE, ENTRYPOINT and
 * CMD are upstream's (prometheus/prometheus Dockerfile).
 */
export async function buildPrometheusImage(
  deb = prometheusDeb(),
): Promise<{ image: BuiltImage; version: string }> {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-prometheus-deb-'));
  try {
    execFileSync('dpkg-deb', ['-x', deb, root]);
    const binary = join(root, 'usr/bin/prometheus');
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    const base = busyboxLayer();
    const have = new Set(base.map((e) => ('path' in e ? e.path : '')));
    const entries: LayerEntry[] = [];
    const dir = (path: string, uid = 0) => {
      if (have.has(path)) return;
      have.add(path);
      entries.push({ type: 'dir', path, uid, gid: uid });
    };
    const file = (path: string, content: Buffer, mode = 0o644, uid = 0) => {
      parents(path).forEach((p) => dir(p));
      entries.push({ type: 'file', path, content, mode, uid, gid: uid });
    };
    file('bin/prometheus', readFileSync(binary), 0o755);
    for (const lib of sharedLibraries(binary)) file(lib.slice(1), readFileSync(lib), 0o755);
    dir('etc/prometheus', NOBODY);
    file(
      'etc/prometheus/prometheus.yml',
      readFileSync(join(root, 'etc/prometheus/prometheus.yml')),
      0o644,
      NOBODY,
    );
    for (const d of ['consoles', 'console_libraries']) {
      dir('usr/share');
      dir('usr/share/prometheus');
      dir(`usr/share/prometheus/${d}`);
      const from = join(root, 'etc/prometheus', d);
      for (const f of existsSync(from) ? readdirSync(from) : [])
        file(`usr/share/prometheus/${d}/${f}`, readFileSync(join(from, f)));
      entries.push({
        type: 'symlink',
        path: `etc/prometheus/${d}`,
        target: `/usr/share/prometheus/${d}`,
      });
    }
    dir('prometheus', NOBODY);
    const image = await buildImage({
      layers: [base, entries],
      // zstd: the 50 MB binary compresses in a fraction of gzip's time on a loaded machine.
      compression: 'zstd',
      config: {
        User: 'nobody',
        WorkingDir: '/prometheus',
        Volumes: { '/prometheus': {} },
        ExposedPorts: { '9090/tcp': {} },
        Entrypoint: ['/bin/prometheus'],
        Cmd: [
          '--config.file=/etc/prometheus/prometheus.yml',
          '--storage.tsdb.path=/prometheus',
          '--web.console.libraries=/usr/share/prometheus/console_libraries',
          '--web.console.templates=/usr/share/prometheus/consoles',
        ],
        Labels: { 'org.opencontainers.image.version': version },
      },
    });
    return { image, version };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
