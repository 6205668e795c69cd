// Pull benchmark: a 250-400 MB image in 8 layers of many small files (deterministic, generated
// offline) is pushed to a local docker-registry, then pulled cold by Flotilla's ImageService
// (download + verify + unpack, tee'd) and, in the same run, by `skopeo copy` + `umoci unpack`
// (download to an OCI layout, then unpack). `docker pull` joins only when a Docker engine answers.
// Prints one JSON line per tool and run: {tool, seconds, MBps} (MBps over the compressed image
// size); with --runs N the tools alternate N times (so both see the same machine load) and a last
// line per tool gives the median. --concurrency sets Flotilla's parallel layer downloads.
// --random: the layers hold random bytes (files of 4 KiB-1 MiB, incompressible) instead of text,
// as issue 16's 150 MB / 7-layer image (--random --mb 150 --layers 7). A `limits` line gives the
// machine's single-core gunzip rate and its disk's write rate (write + fsync), measured in the run.
//   npm run build && node dist/bench/pull/run.js [--mb 300] [--layers 8] [--random] [--runs 3]
//     [--concurrency 3]
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { createLogger } from '../../shared/log/index.js';
import { buildImageService } from '../../agent/image/index.js';
import { startRegistry } from '../../test/harness/registry.js';

const exec = promisify(execFile);

/** xorshift32: the same bytes on every run. */
function prng(seed: number) {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const words =
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(
    ' ',
  );

/** One layer of about `bytes` of files between 1 and 16 KB: text that compresses about 3:1. */
async function layer(
  index: number,
  bytes: number,
  random = false,
): Promise<{ tar: Buffer; gz: Buffer }> {
  const rnd = prng(0x9e3779b9 ^ (index * 7919));
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  const mtime = new Date('2024-01-02T03:04:05Z');
  let written = 0;
  for (let n = 0; written < bytes; n++) {
    if (random) {
      const body = randomBytes(4096 + (rnd() % (1020 * 1024)));
      const name = `usr/lib/bench${index}/d${Math.floor(n / 50)}/f${n}.bin`;
      await new Promise<void>((res, rej) =>
        pack.entry({ name, size: body.length, mode: 0o644, mtime }, body, (e) =>
          e ? rej(e) : res(),
        ),
      );
      written += body.length;
      continue;
    }
    const size = 1024 + (rnd() % (15 * 1024));
    const parts: string[] = [];
    let len = 0;
    while (len < size) {
      const w = rnd() % 3 === 0 ? rnd().toString(36) : words[rnd() % words.length];
      parts.push(w);
      len += w.length + 1;
    }
    const body = Buffer.from(parts.join(' ')).subarray(0, size);
    const name = `usr/share/bench${index}/d${Math.floor(n / 200)}/f${n}.txt`;
    await new Promise<void>((res, rej) =>
      pack.entry({ name, size: body.length, mode: 0o644, mtime }, body, (e) =>
        e ? rej(e) : res(),
      ),
    );
    written += body.length;
  }
  pack.finalize();
  await collected;
  const t = Buffer.concat(chunks);
  return { tar: t, gz: gzipSync(t, { level: 6 }) };
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function upload(host: string, repo: string, digest: string, bytes: Buffer) {
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = new URL(start.headers.get('location') as string, `http://${host}`);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: bytes });
  if (put.status !== 201) throw new Error(`upload failed: ${put.status}`);
}

/** Wall seconds, and CPU seconds (user + system) of this process's threads and of `children`. */
async function time(
  fn: (children: { cpuSeconds: number }) => Promise<unknown>,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const children = { cpuSeconds: 0 };
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await fn(children);
  const c = process.cpuUsage(c0);
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    cpuSeconds: (c.user + c.system) / 1e6 + children.cpuSeconds,
  };
}

/** Runs a program under /usr/bin/time and adds its CPU seconds to `children`. */
async function timedExec(children: { cpuSeconds: number }, file: string, args: string[]) {
  const { stderr } = await exec('/usr/bin/time', ['-f', 'cpu %U %S', file, ...args], {
    maxBuffer: 1 << 24,
  });
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (m) children.cpuSeconds += Number(m[1]) + Number(m[2]);
}

function numArg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The machine's limits for this image: one core's gunzip rate over the layers (MB of tar out per
 * second) and the disk's write rate for as many bytes (one file, 1 MiB writes, then fsync).
 */
function limits(layers: { tar: Buffer; gz: Buffer }[], dir: string) {
  let t0 = process.hrtime.bigint();
  for (const l of layers) gunzipSync(l.gz);
  const gunzipSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const tarBytes = layers.reduce((a, l) => a + l.tar.length, 0);
  const file = join(dir, 'disk-probe');
  const chunk = Buffer.alloc(1 << 20, 7);
  t0 = process.hrtime.bigint();
  const fd = openSync(file, 'w');
  for (let n = 0; n < tarBytes; n += chunk.length) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const diskSec = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    limits: true,
    gunzipOneCoreMBps: Number((tarBytes / 1e6 / gunzipSec).toFixed(1)),
    diskWriteMBps: Number((tarBytes / 1e6 / diskSec).toFixed(1)),
  };
}

async function main() {
  const totalMb = numArg('--mb') ?? 300;
  const runs = numArg('--runs') ?? 1;
  const pullConcurrency = numArg('--concurrency');
  const layerCount = numArg('--layers') ?? 8;
  const random = process.argv.includes('--random');
  const registry = await startRegistry();
  const work = await mkdtemp(join(tmpdir(), 'flotilla-bench-pull-'));
  try {
    const layers = [];
    for (let i = 0; i < layerCount; i++)
      layers.push(await layer(i, Math.floor((totalMb * 1e6) / layerCount), random));
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2024-01-02T03:04:05Z',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l.tar)) },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha(config),
          size: config.length,
        },
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha(l.gz),
          size: l.gz.length,
        })),
      }),
    );
    await upload(registry.host, 'bench', sha(config), config);
    for (const l of layers) await upload(registry.host, 'bench', sha(l.gz), l.gz);
    const put = await fetch(`http://${registry.host}/v2/bench/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    if (put.status !== 201) throw new Error(`manifest push failed: ${put.status}`);
    const compressedMB = layers.reduce((a, l) => a + l.gz.length, 0) / 1e6;
    const unpackedMB = layers.reduce((a, l) => a + l.tar.length, 0) / 1e6;
    process.stderr.write(
      `image: ${layerCount} layers, ${unpackedMB.toFixed(0)} MB tar, ${compressedMB.toFixed(0)} MB gzip\n`,
    );
    process.stdout.write(`${JSON.stringify(limits(layers, work))}\n`);
    const ref = `${registry.host}/bench:v1`;
    const report = (tool: string, t: { seconds: number; cpuSeconds: number }) =>
      process.stdout.write(
        `${JSON.stringify({ tool, seconds: Number(t.seconds.toFixed(2)), cpuSeconds: Number(t.cpuSeconds.toFixed(2)), MBps: Number((compressedMB / t.seconds).toFixed(1)), compressedMB: Number(compressedMB.toFixed(1)), unpackedMB: Number(unpackedMB.toFixed(1)), loadavg: Number(loadavg()[0].toFixed(1)) })}\n`,
      );

    const times = new Map<string, { seconds: number; cpuSeconds: number }[]>();
    const record = (tool: string, t: { seconds: number; cpuSeconds: number }) => {
      times.set(tool, [...(times.get(tool) ?? []), t]);
      report(tool, t);
    };
    for (let run = 0; run < runs; run++) {
      const dir = join(work, `run-${run}`);
      const images = buildImageService({
        config: { dataRoot: join(dir, 'flotilla'), insecureRegistries: [] },
        log: createLogger({ proc: 'bench', level: 'warn' }),
        pullConcurrency,
      });
      await images.start();
      record('flotilla', await time(() => images.service.pull(ref)));
      await images.stop();
      await rm(join(dir, 'flotilla'), { recursive: true, force: true });

      const oci = join(dir, 'oci');
      record(
        'skopeo+umoci',
        await time(async (children) => {
          await timedExec(children, 'skopeo', [
            'copy',
            '--src-tls-verify=false',
            `docker://${ref}`,
            `oci:${oci}:v1`,
          ]);
          await timedExec(children, 'umoci', [
            'unpack',
            '--image',
            `${oci}:v1`,
            join(dir, 'bundle'),
          ]);
        }),
      );
      await rm(dir, { recursive: true, force: true });

      const docker = await exec('docker', ['version', '--format', '{{.Server.Version}}']).catch(
        () => undefined,
      );
      if (docker)
        record('docker', await time(() => exec('docker', ['pull', ref], { maxBuffer: 1 << 24 })));
      if (docker) await exec('docker', ['rmi', ref]).catch(() => undefined);
    }
    if (runs > 1)
      for (const [tool, xs] of times)
        process.stdout.write(
          `${JSON.stringify({ tool, median: true, runs: xs.length, seconds: Number(median(xs.map((x) => x.seconds)).toFixed(2)), cpuSeconds: Number(median(xs.map((x) => x.cpuSeconds)).toFixed(2)), all: xs.map((x) => Number(x.seconds.toFixed(2))) })}\n`,
        );
  } finally {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
