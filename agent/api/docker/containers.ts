// Docker's container routes whose bodies differ from Flotilla's own (create, list, stats): thin
// translators onto the same ContainerRuntime calls that agent/api/routes/containers.ts makes.
import type { FastifyInstance } from 'fastify';
import type { ContainerRuntime, ContainerStats, ContainerSummary } from '../../runtime/index.js';
import { createOptions } from './create-body.js';
import { queryBool } from '../query-bool.js';
import type { ImageService } from '../../image/index.js';
import { containerQuery, inspectContainer, listContainers } from '../queries/containers.js';

type Q = Record<string, string | undefined>;

/** Docker's ContainerSummary (GET /containers/json). */
export function dockerSummary(c: ContainerSummary): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image,
    ImageID: c.imageId,
    Command: c.command,
    Created: Math.floor(Date.parse(c.createdAt) / 1000) || 0,
    State: c.state,
    Status: c.status,
    Ports: c.ports.map((p) => ({
      ...(p.hostPort ? { IP: p.hostIp || '0.0.0.0', PublicPort: p.hostPort } : {}),
      PrivatePort: p.containerPort,
      Type: p.protocol,
    })),
    Labels: c.labels,
    HostConfig: { NetworkMode: 'default' },
    Mounts: [],
    ...(c.sizeRw !== undefined ? { SizeRw: c.sizeRw, SizeRootFs: c.sizeRootFs ?? c.sizeRw } : {}),
  };
}

/** Docker's stats document; `prev` fills precpu_stats as Docker's daemon does. */
export function dockerStats(s: ContainerStats, prev?: ContainerStats): Record<string, unknown> {
  const cpu = (x?: ContainerStats) => ({
    cpu_usage: { total_usage: x?.cpuTotalNs ?? 0 },
    system_cpu_usage: x?.systemNs ?? 0,
    online_cpus: x?.onlineCpus ?? s.onlineCpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  return {
    id: s.id,
    name: `/${s.name}`,
    read: s.read,
    preread: prev?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: { current: s.pids },
    cpu_stats: cpu(s),
    precpu_stats: cpu(prev),
    memory_stats: { usage: s.memoryUsageBytes, limit: s.memoryLimitBytes, stats: {} },
    networks: { eth0: { rx_bytes: s.netRxBytes, tx_bytes: s.netTxBytes } },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 0, minor: 0, op: 'read', value: s.blkReadBytes },
        { major: 0, minor: 0, op: 'write', value: s.blkWriteBytes },
      ],
    },
  };
}

const truthy = queryBool;

export function dockerContainerRoutes(
  app: FastifyInstance,
  runtime: ContainerRuntime,
  images: ImageService,
): void {
  app.post('/docker/containers/create', async (req, reply) => {
    const q = req.query as Q;
    const opts = createOptions((req.body ?? {}) as Record<string, unknown>, q.name, q.platform);
    const r = await runtime.create(opts);
    return reply.status(201).send({ Id: r.id, Warnings: r.warnings });
  });

  // The runtime's inspect is Docker's ContainerJSON; docker-py also reads HostConfig.LogConfig.
  app.get('/docker/containers/:id/json', async (req) => {
    const q = req.query as Q;
    const doc = await inspectContainer(runtime, images, (req.params as Q).id!, truthy(q.size));
    const hc = (doc.HostConfig ?? {}) as Record<string, unknown>;
    return { ...doc, HostConfig: { LogConfig: { Type: 'k8s-file', Config: {} }, ...hc } };
  });

  app.get('/docker/containers/json', async (req) =>
    (await listContainers(runtime, images, containerQuery(req.query as Q))).map(dockerSummary),
  );

  // Docker's daemon sends the headers at once and the body at the exit: the docker CLI waits for
  // those headers before it starts the container (docker run), so a late 200 would hang it.
  app.post('/docker/containers/:id/wait', async (req, reply) => {
    const id = (req.params as Q).id!;
    const cond = ((req.query as Q).condition ?? 'not-running') as
      'not-running' | 'next-exit' | 'removed';
    await runtime.inspect(id);
    const ac = new AbortController();
    req.raw.on('close', () => ac.abort());
    const exit = runtime.waitFor(id, cond, ac.signal);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    reply.raw.flushHeaders();
    const body = await exit.then(
      (code) => ({ StatusCode: code }),
      (err: unknown) => ({ StatusCode: -1, Error: { Message: (err as Error).message } }),
    );
    reply.raw.end(`${JSON.stringify(body)}\n`);
  });

  app.get('/docker/containers/:id/stats', async (req, reply) => {
    const id = (req.params as Q).id!;
    const q = req.query as Q;
    const stream = q.stream !== '0' && q.stream !== 'false' && q.stream !== 'False';
    const first = await runtime.stats(id);
    if (!stream) {
      if (truthy(q['one-shot'])) return dockerStats(first);
      // Docker waits one sampling period so the client can compute a CPU percentage.
      await new Promise((r) => setTimeout(r, 1000));
      return dockerStats(await runtime.stats(id), first);
    }
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    let open = true;
    reply.raw.on('close', () => (open = false));
    let prev: ContainerStats | undefined;
    let cur: ContainerStats | undefined = first;
    while (open && cur) {
      reply.raw.write(`${JSON.stringify(dockerStats(cur, prev))}\n`);
      await new Promise((r) => setTimeout(r, 1000));
      prev = cur;
      cur = await runtime.stats(id).catch(() => undefined);
    }
    reply.raw.end();
  });
}
