// The convergence steps on Docker Swarm, for the reference column of bench.ts: only when the
// engine at DOCKER_HOST answers and is in swarm mode (never required). It speaks the Engine API
// directly, as Flotilla's column speaks the manager API, and times each request to convergence
// by polling the engine's task list; it never sets up Swarm or loads images itself.
import { request, type RequestOptions } from 'node:http';

interface SwarmTask {
  Slot?: number;
  DesiredState: string;
  Status: { State: string; Err?: string };
  Spec: { ContainerSpec: { Image: string } };
}

interface SwarmService {
  ID: string;
  Version: { Index: number };
  Spec: {
    Mode: { Replicated: { Replicas: number } };
    TaskTemplate: { ContainerSpec: { Image: string } };
  };
  UpdateStatus?: { State: string; Message?: string };
}

/** Polls of the engine's task list every 50 ms: 4× the docker CLI's rate, light on dockerd. */
const pollMs = 50;

// busybox `sleep` as PID 1 ignores SIGTERM, so every stop would wait out the 10 s grace period;
// this shell exits on SIGTERM, and the kernel ends its sleep with the container's pid namespace.
// (The real-container mode's image has such a shell as its own command: images.ts.)
const sleepCommand = ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'];

function engineTarget(): Pick<RequestOptions, 'socketPath' | 'host' | 'port'> | undefined {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://') && process.env.DOCKER_TLS_VERIFY !== '1') {
    const url = new URL(`http://${host.slice('tcp://'.length)}`);
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}

function engine(target: Pick<RequestOptions, 'socketPath' | 'host' | 'port'>) {
  return <T>(method: string, path: string, body?: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          ...target,
          method,
          path,
          timeout: 60_000,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 300)
              reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`));
            else resolve((text ? JSON.parse(text) : undefined) as T);
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.end(payload);
    });
}

const filters = (f: Record<string, string[]>) => encodeURIComponent(JSON.stringify(f));

/** The steps of bench.ts on Docker Swarm, or why they did not run. */
export async function dockerSwarm(opts: {
  replicas: number;
  parallelism: number;
  imageA: string;
  imageB: string;
  /** The image's own command (real mode) instead of the sleeping shell. */
  imageCommand?: boolean;
  /** Docker's healthcheck; a task then runs only once healthy (the engine waits for it). */
  healthcheck?: { test: string[]; intervalSec: number; timeoutSec: number; retries: number };
}): Promise<Record<string, unknown>> {
  const target = engineTarget();
  if (!target) return { skipped: 'DOCKER_HOST is neither unix:// nor plain tcp://' };
  const call = engine(target);
  let info: { ServerVersion: string; Swarm: { LocalNodeState: string } };
  try {
    info = await call('GET', '/info');
  } catch {
    return { skipped: 'no Docker engine answered' };
  }
  if (info.Swarm.LocalNodeState !== 'active')
    return { skipped: 'Docker is not in swarm mode (run `docker swarm init` to compare)' };
  for (const image of [opts.imageA, opts.imageB]) {
    try {
      await call('GET', `/images/${encodeURIComponent(image)}/json`);
    } catch {
      return { skipped: `image ${image} is not on the engine (see bench/convergence/README.md)` };
    }
  }

  const { replicas, parallelism, healthcheck: hc } = opts;
  const name = `flt-bench-${process.pid}`;
  let id = '';
  const tasks = () => call<SwarmTask[]>('GET', `/tasks?filters=${filters({ service: [id] })}`);
  const until = async (check: (t: SwarmTask[]) => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const current = await tasks();
      const failed = current.find(
        (t) => t.Status.State === 'rejected' || t.Status.State === 'failed',
      );
      if (failed) throw new Error(`a task ${failed.Status.State}: ${failed.Status.Err ?? ''}`);
      if (await check(current)) return;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const running = (current: SwarmTask[], image: string) =>
    current.filter(
      (t) =>
        t.DesiredState === 'running' &&
        t.Status.State === 'running' &&
        t.Spec.ContainerSpec.Image === image,
    ).length;
  const update = async (patch: (spec: SwarmService['Spec']) => void) => {
    const s = await call<SwarmService>('GET', `/services/${id}`);
    patch(s.Spec);
    await call('POST', `/services/${id}/update?version=${s.Version.Index}`, s.Spec);
  };
  const sec = async (fn: () => Promise<void>) => {
    const t0 = performance.now();
    await fn();
    return Math.round(performance.now() - t0) / 1000;
  };

  try {
    const createSec = await sec(async () => {
      id = (
        await call<{ ID: string }>('POST', '/services/create', {
          Name: name,
          TaskTemplate: {
            ContainerSpec: {
              Image: opts.imageA,
              ...(opts.imageCommand ? {} : { Args: sleepCommand }),
              ...(hc
                ? {
                    Healthcheck: {
                      Test: hc.test,
                      Interval: hc.intervalSec * 1e9,
                      Timeout: hc.timeoutSec * 1e9,
                      Retries: hc.retries,
                    },
                  }
                : {}),
            },
          },
          Mode: { Replicated: { Replicas: replicas } },
          // As Flotilla's column: stop-first, no delay, no monitor window.
          UpdateConfig: { Parallelism: parallelism, Delay: 0, Monitor: 0, Order: 'stop-first' },
        })
      ).ID;
      await until((t) => running(t, opts.imageA) === replicas);
    });
    const scaleSec = await sec(async () => {
      await update((s) => (s.Mode.Replicated.Replicas = replicas * 2));
      await until((t) => running(t, opts.imageA) === replicas * 2);
    });
    let maxDown = 0;
    const rollingUpdateSec = await sec(async () => {
      await update((s) => (s.TaskTemplate.ContainerSpec.Image = opts.imageB));
      await until(async (t) => {
        const up = new Set(t.filter((x) => x.Status.State === 'running').map((x) => x.Slot)).size;
        maxDown = Math.max(maxDown, replicas * 2 - up);
        if (running(t, opts.imageB) !== replicas * 2) return false;
        const s = await call<SwarmService>('GET', `/services/${id}`);
        return s.UpdateStatus?.State === 'completed';
      });
    });
    const removeSec = await sec(async () => {
      await call('DELETE', `/services/${id}`);
      const label = `com.docker.swarm.service.id=${id}`;
      const path = `/containers/json?all=1&filters=${filters({ label: [label] })}`;
      while ((await call<unknown[]>('GET', path)).length > 0)
        await new Promise((r) => setTimeout(r, pollMs));
    });
    return {
      engine: info.ServerVersion,
      createSec,
      scaleSec,
      rollingUpdateSec,
      rollingUpdateMaxSlotsDown: maxDown,
      removeSec,
      totalSec: Math.round((createSec + scaleSec + rollingUpdateSec + removeSec) * 1000) / 1000,
      note: 'real containers on one engine; times from the Engine API request to all tasks running (with a healthcheck the engine reports running only once healthy; remove: to all containers gone), polled every 50 ms',
    };
  } catch (err) {
    if (id) await call('DELETE', `/services/${id}`).catch(() => undefined);
    return { failed: (err as Error).message.split('\n')[0] };
  }
}
