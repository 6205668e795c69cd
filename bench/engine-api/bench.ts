// The Docker Engine API beside Flotilla's own path, against one real agent (runc + conmon) and a
// loopback registry (issue 15: "start latency and pull throughput through the Docker API within
// 10 % of Flotilla's own CLI path"). The same engine sits behind both, so any gap is the API layer's
// (or its client's). Five paths, interleaved in each round so that all see the same machine load:
//   flotillaCli  `flotilla run|pull ...`                     (bin/flotilla: Node start-up included)
//   dockerCli    `docker run|pull ...`, DOCKER_HOST=unix://<agent.sock>  (the Go client)
//   flotillaApi  raw HTTP to Flotilla's routes (/containers/create, /images/pull), in this process
//   engineApi    raw HTTP to the Engine API (/v1.50/containers/create, /v1.50/images/create)
//   dockerPy     docker-py (Debian's python3-docker), timed inside Python (interpreter start-up not)
// Scenarios: `exit` (create + start + wait for exit + remove: `run --rm busybox true`), `detached`
// (create + start: `run -d busybox sleep`; removal untimed), `pull` (cold pull of a generated image
// of random layers; the image is removed, untimed, before each pull). Prints one JSON document:
// median and p90 per path, and the ratios engineApi/flotillaApi and dockerCli/flotillaCli.
//   bench/engine-api/run.sh [ROUNDS=15] [PULL_ROUNDS=5] [MB=32]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildImage, type LayerEntry } from '../../test/harness/image-builder.js';
import { startRegistry } from '../../test/harness/registry.js';
import { uploadImage } from '../../test/integration/image/helpers.js';
import { startBenchAgent } from '../common/bench-agent.js';

const cli = process.env.FLOTILLA_CLI!;
const rounds = Number(process.argv[2] ?? 15);
const pullRounds = Number(process.argv[3] ?? 5);
const imageMb = Number(process.argv[4] ?? 32);
// Started before anything else runs; the paths below speak to it through these.
const agent = await startBenchAgent({
  cli,
  tmpPrefix: '/tmp/flt-bench-api-',
  subnet: '10.251.46.0/24',
});
const { socketPath, api } = agent;
const env = {
  ...agent.env,
  DOCKER_HOST: `unix://${socketPath}`,
  DOCKER_CONFIG: join(agent.dir, 'docker'),
};
const v = '/v1.50';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const round = (x: number) => Math.round(x * 100) / 100;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

async function ok(method: string, path: string, body?: unknown): Promise<string> {
  const r = await api(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return r.body;
}

/** docker-py, one operation timed inside Python; prints {"ms": N}. */
const dockerPy = `
import docker, json, sys, time
c = docker.DockerClient(base_url=sys.argv[1], version='auto')
mode = sys.argv[2]
t = time.perf_counter()
if mode == 'exit':
    c.containers.run('busybox', ['true'], remove=True, network_mode='none')
elif mode == 'detached':
    ct = c.containers.run('busybox', ['sleep', '300'], detach=True, network_mode='none')
else:
    c.images.pull(sys.argv[3], tag=sys.argv[4])
took = (time.perf_counter() - t) * 1000
if mode == 'detached':
    ct.remove(force=True)
print(json.dumps({'ms': took}))
`;

function py(args: string[]): number {
  const out = run('python3', ['-c', dockerPy, `unix://${socketPath}`, ...args]);
  return (JSON.parse(out) as { ms: number }).ms;
}

type Path = 'flotillaCli' | 'dockerCli' | 'flotillaApi' | 'engineApi' | 'dockerPy';
const paths: Path[] = ['flotillaCli', 'dockerCli', 'flotillaApi', 'engineApi', 'dockerPy'];

/** Times one `run --rm busybox true` (create, start, wait for the exit, remove) by `path`. */
async function exitOnce(path: Path): Promise<number> {
  const t0 = process.hrtime.bigint();
  switch (path) {
    case 'flotillaCli':
      run('node', [cli, 'run', '--rm', '--network', 'none', 'busybox', 'true']);
      return ms(t0);
    case 'dockerCli':
      run('docker', ['run', '--rm', '--network', 'none', 'busybox', 'true']);
      return ms(t0);
    case 'flotillaApi': {
      const body = { image: 'busybox', cmd: ['true'], network: 'none' };
      const { Id } = JSON.parse(await ok('POST', '/containers/create', body)) as { Id: string };
      await ok('POST', `/containers/${Id}/start`);
      await ok('POST', `/containers/${Id}/wait?condition=not-running`);
      await ok('DELETE', `/containers/${Id}?force=1`);
      return ms(t0);
    }
    case 'engineApi': {
      const body = { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } };
      const { Id } = JSON.parse(await ok('POST', `${v}/containers/create`, body)) as {
        Id: string;
      };
      await ok('POST', `${v}/containers/${Id}/start`);
      await ok('POST', `${v}/containers/${Id}/wait?condition=not-running`);
      await ok('DELETE', `${v}/containers/${Id}?force=1`);
      return ms(t0);
    }
    case 'dockerPy':
      return py(['exit']);
  }
}

/** Times one `run -d busybox sleep 300` (create + start) by `path`; removes it untimed. */
async function detachedOnce(path: Path): Promise<number> {
  const t0 = process.hrtime.bigint();
  let id: string;
  switch (path) {
    case 'flotillaCli':
      id = run('node', [cli, 'run', '-d', '--network', 'none', 'busybox', 'sleep', '300']).trim();
      break;
    case 'dockerCli':
      id = run('docker', ['run', '-d', '--network', 'none', 'busybox', 'sleep', '300']).trim();
      break;
    case 'flotillaApi': {
      const body = { image: 'busybox', cmd: ['sleep', '300'], network: 'none' };
      id = (JSON.parse(await ok('POST', '/containers/create', body)) as { Id: string }).Id;
      await ok('POST', `/containers/${id}/start`);
      break;
    }
    case 'engineApi': {
      const body = { Image: 'busybox', Cmd: ['sleep', '300'], HostConfig: { NetworkMode: 'none' } };
      id = (JSON.parse(await ok('POST', `${v}/containers/create`, body)) as { Id: string }).Id;
      await ok('POST', `${v}/containers/${id}/start`);
      break;
    }
    case 'dockerPy':
      return py(['detached']); // removes its own container, untimed
  }
  const took = ms(t0);
  await ok('DELETE', `/containers/${id}?force=1`);
  return took;
}

/** Times one cold pull of `repo:tag` by `path` (the image is removed first, untimed). */
async function pullOnce(path: Path, repo: string, tag: string): Promise<number> {
  const ref = `${repo}:${tag}`;
  spawnSync('node', [cli, 'rmi', '-f', ref], { env }); // absent before the first pull
  const t0 = process.hrtime.bigint();
  switch (path) {
    case 'flotillaCli':
      run('node', [cli, 'pull', '-q', ref]);
      break;
    case 'dockerCli':
      run('docker', ['pull', '-q', ref]);
      break;
    case 'flotillaApi': {
      const body = await ok('POST', `/images/pull?fromImage=${encodeURIComponent(ref)}`);
      if (!body.includes('Pull complete')) throw new Error(`not a cold pull: ${body.slice(-300)}`);
      break;
    }
    case 'engineApi': {
      const q = `fromImage=${encodeURIComponent(repo)}&tag=${tag}`;
      const body = await ok('POST', `${v}/images/create?${q}`);
      if (!body.includes('Pull complete')) throw new Error(`not a cold pull: ${body.slice(-300)}`);
      break;
    }
    case 'dockerPy':
      return py(['pull', repo, tag]);
  }
  return ms(t0);
}

/** `rounds` rounds; in each, every path once, in a rotated order (no path always goes first). */
async function measure(n: number, once: (p: Path) => Promise<number>) {
  const times = new Map<Path, number[]>(paths.map((p) => [p, []]));
  for (let i = 0; i < n; i++)
    for (let k = 0; k < paths.length; k++) {
      const p = paths[(i + k) % paths.length];
      times.get(p)!.push(await once(p));
    }
  return times;
}

function summary(times: Map<Path, number[]>, unit: 'ms' | 'MBps', bytes = 0) {
  const out: Record<string, unknown> = {};
  const med: Partial<Record<Path, number>> = {};
  for (const [p, xs] of times) {
    const vals = unit === 'ms' ? xs : xs.map((t) => bytes / 1e6 / (t / 1000));
    med[p] = quantile(vals, 0.5);
    // For throughput the slow tail is the low quantile: p90 of time is p10 of MB/s.
    out[p] = {
      median: round(med[p]),
      p90: round(quantile(vals, unit === 'ms' ? 0.9 : 0.1)),
    };
  }
  // ratio > 1: the Docker side is slower (time) or faster (MB/s); "within10pct" reads it either way.
  const ratio = (a: Path, b: Path) => round(med[a]! / med[b]!);
  const slower = (r: number) => (unit === 'ms' ? r : 1 / r);
  const api = ratio('engineApi', 'flotillaApi');
  const clis = ratio('dockerCli', 'flotillaCli');
  out.engineApiOverFlotillaApi = api;
  out.dockerCliOverFlotillaCli = clis;
  out.dockerPyOverFlotillaApi = ratio('dockerPy', 'flotillaApi');
  out.apiWithin10pct = slower(api) <= 1.1;
  out.cliWithin10pct = slower(clis) <= 1.1;
  return out;
}

/** An image of random (incompressible) files: `mb` MB in 4 layers. */
async function randomImage(mb: number) {
  const layers: LayerEntry[][] = [];
  for (let l = 0; l < 4; l++) {
    const files: LayerEntry[] = [];
    for (let f = 0; f < (mb / 4) * 2; f++)
      files.push({ type: 'file', path: `l${l}/f${f}.bin`, content: randomBytes(512 * 1024) });
    layers.push([{ type: 'dir', path: `l${l}` }, ...files]);
  }
  return buildImage({ layers, format: 'docker', compression: 'gzip', config: {} as never });
}

async function main() {
  process.on('unhandledRejection', (err) => process.stderr.write(`unhandled: ${String(err)}\n`));
  const result: Record<string, unknown> = {};
  let registry: Awaited<ReturnType<typeof startRegistry>> | undefined;
  try {
    registry = await startRegistry();
    await agent.loadBusybox();
    const docker = run('docker', [
      'version',
      '--format',
      '{{.Client.Version}} {{.Server.APIVersion}}',
    ]);
    const pyVersion = run('python3', ['-c', 'import docker; print(docker.__version__)']);
    // Warm every path once (first-call costs: Python imports, the Go client, JIT in the agent).
    for (const p of paths) await exitOnce(p);
    process.stderr.write('warm\n');

    result.exit = summary(await measure(rounds, exitOnce), 'ms');
    process.stderr.write(`exit ${JSON.stringify(result.exit)}\n`);
    result.detached = summary(await measure(rounds, detachedOnce), 'ms');
    process.stderr.write(`detached ${JSON.stringify(result.detached)}\n`);

    const img = await randomImage(imageMb);
    await uploadImage(registry.host, 'bench/big', '1', img);
    const bytes = img.layers.reduce((s, l) => s + l.size, 0);
    const repo = `${registry.host}/bench/big`;
    result.pull = {
      imageBytes: bytes,
      layers: img.layers.length,
      ...summary(await measure(pullRounds, (p) => pullOnce(p, repo, '1')), 'MBps', bytes),
    };
    result.setup = {
      rounds,
      pullRounds,
      units: { exit: 'ms', detached: 'ms', pull: 'MB/s (compressed bytes)' },
      dockerClientAndApi: docker.trim(),
      dockerPy: pyVersion.trim(),
      cpus: cpus().length,
      loadavg: loadavg().map(round),
    };
  } finally {
    // Whatever a failed round left running goes before the agent does (conmon outlives it).
    const left = await api('GET', '/containers/json?all=1').catch(() => undefined);
    const all =
      left?.status === 200 ? (JSON.parse(left.body) as { Id?: string; id?: string }[]) : [];
    for (const c of all)
      await api('DELETE', `/containers/${c.Id ?? c.id}?force=1`).catch(() => undefined);
    await agent.stop();
    await registry?.stop();
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

await main();
