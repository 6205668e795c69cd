// Convergence benchmark: create N replicas → all healthy, scale N → 2N → all healthy, a rolling
// update of 2N at parallelism P, removal → no container left; Flotilla beside Docker Swarm (when
// the engine at DOCKER_HOST answers in swarm mode), one JSON document on stdout.
//   BENCH_MODE=real (default): real containers, a manager and one agent on this machine (real.ts)
//   BENCH_MODE=simulated: the control plane alone, three simulated agents (simulated.ts)
import { cpus, loadavg } from 'node:os';
import { flotillaReal } from './real.js';
import { flotillaSimulated } from './simulated.js';
import { webHealthcheck } from './images.js';
import { dockerSwarm } from './swarm.js';

// The manager logs to stdout; keep it to errors so stdout stays one JSON document.
process.env.FLOTILLA_LOG_LEVEL ??= 'error';
const mode = process.env.BENCH_MODE ?? 'real';
const replicas = Number(process.env.BENCH_REPLICAS ?? 50);
const parallelism = Number(process.env.BENCH_PARALLELISM ?? 10);
const load = () => Math.round(loadavg()[0] * 10) / 10;

if (mode !== 'real' && mode !== 'simulated') {
  process.stderr.write(`BENCH_MODE must be real or simulated, not ${JSON.stringify(mode)}\n`);
  process.exit(2);
}

const loadAtStart = load();
const ratio = (f: Record<string, unknown>, s: Record<string, unknown>) => {
  const out: Record<string, number> = {};
  for (const k of ['createSec', 'scaleSec', 'rollingUpdateSec', 'removeSec', 'totalSec'])
    if (typeof f[k] === 'number' && typeof s[k] === 'number')
      out[k.replace('Sec', '')] = Math.round(((f[k] as number) / (s[k] as number)) * 100) / 100;
  return out;
};

let doc: Record<string, unknown>;
if (mode === 'real') {
  const flotilla = await flotillaReal({
    bin: process.env.FLOTILLA_CLI ?? new URL('../../bin/flotilla', import.meta.url).pathname,
    replicas,
    parallelism,
    profDir: process.env.BENCH_CPU_PROF || undefined,
    nodeSubnet: process.env.BENCH_NODE_SUBNET ?? '10.251.41.0/24',
  });
  const swarm = await dockerSwarm({
    replicas,
    parallelism,
    imageA: process.env.BENCH_SWARM_IMAGE_A ?? 'flt-bench/web:a',
    imageB: process.env.BENCH_SWARM_IMAGE_B ?? 'flt-bench/web:b',
    imageCommand: true,
    healthcheck: webHealthcheck,
  });
  doc = {
    benchmark: 'convergence',
    mode: 'real containers',
    machine: { cpus: cpus().length, loadAvg1m: loadAtStart, loadAvg1mAtEnd: load() },
    config: {
      nodes: 1,
      replicas,
      scaledTo: replicas * 2,
      updateParallelism: parallelism,
      image: 'busybox httpd (images.ts)',
      healthcheck: webHealthcheck,
    },
    flotilla,
    dockerSwarm: swarm,
    flotillaOverSwarm: ratio(flotilla, swarm),
  };
} else {
  const flotilla = await flotillaSimulated(replicas, parallelism);
  doc = {
    benchmark: 'convergence',
    mode: 'control plane (simulated agents)',
    machine: { cpus: cpus().length, loadAvg1m: loadAtStart },
    config: { nodes: 3, replicas, scaledTo: replicas * 2, updateParallelism: parallelism },
    flotilla,
    dockerSwarm: await dockerSwarm({
      replicas,
      parallelism,
      imageA: process.env.BENCH_SWARM_IMAGE_A ?? 'busybox:1.36',
      imageB: process.env.BENCH_SWARM_IMAGE_B ?? 'busybox:1.37',
    }),
    note: 'control-plane benchmark: flotilla runs simulated agents (real gRPC sessions, fake containers) in the manager process; dockerSwarm runs real containers, so the columns are not like-for-like',
  };
}
console.log(JSON.stringify(doc, null, 2));
process.exit(0);
