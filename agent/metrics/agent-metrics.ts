// The agent's Prometheus metrics. Container counts are read from the runtime when scraped; the
// durations of container operations and pulls are measured by wrapping the runtime's and the image
// service's contracts (instrument*), unpack times and bytes come from the pull's progress events and
// result, and health probes from the engine's probe listener: nothing below depends on prom-client.
import { Counter, Gauge, Histogram } from 'prom-client';
import { durationBuckets, type MetricsRegistry } from '../../shared/metrics/index.js';
import type { ImageService, ProgressEvent } from '../image/index.js';
import type { ContainerEngine, HealthCheckRun } from '../runtime/index.js';

/** Operations of the container contract whose durations are observed. */
const timedOperations = ['create', 'start', 'stop', 'kill', 'remove', 'restart'] as const;

export class AgentMetrics {
  private readonly operations: Histogram<'operation' | 'result'>;
  private readonly healthTransitions: Counter<'status'>;
  private readonly healthChecks: Histogram<'result'>;
  private readonly pulls: Histogram<'result'>;
  private readonly pullBytes: Counter;
  private readonly unpack: Histogram;
  private readonly unpackBytes: Counter;
  private readonly ruleApplies: Counter<'kind'>;
  /** Read when scraped; set once the cluster session exists (a standalone agent has none). */
  sessionState?: () => string;

  constructor(
    readonly registry: MetricsRegistry,
    runtime: Pick<ContainerEngine, 'list'>,
  ) {
    const registers = [registry];
    new Gauge({
      name: 'flotilla_containers',
      help: 'Containers on this agent by state',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const c of await runtime.list({ all: true })) this.inc({ state: c.state });
      },
    });
    const session = () => this.sessionState?.();
    new Gauge({
      name: 'flotilla_agent_session',
      help: 'The manager session: 1 for the current state (connecting, connected, stopped)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const s = session();
        if (s) this.set({ state: s }, 1);
      },
    });
    this.operations = new Histogram({
      name: 'flotilla_container_operation_duration_seconds',
      help: 'Container create/start/stop/kill/remove/restart durations, by result',
      labelNames: ['operation', 'result'],
      buckets: durationBuckets,
      registers,
    });
    this.healthTransitions = new Counter({
      name: 'flotilla_container_health_status_total',
      help: 'Health status changes of containers, by the status changed to',
      labelNames: ['status'],
      registers,
    });
    this.healthChecks = new Histogram({
      name: 'flotilla_health_check_duration_seconds',
      help: 'Health check (probe) run durations, by result (failure: non-zero exit or timeout)',
      labelNames: ['result'],
      buckets: durationBuckets,
      registers,
    });
    this.pulls = new Histogram({
      name: 'flotilla_image_pull_duration_seconds',
      help: 'Image pull durations (download and unpack), by result',
      labelNames: ['result'],
      buckets: durationBuckets,
      registers,
    });
    this.pullBytes = new Counter({
      name: 'flotilla_image_pull_bytes_total',
      help: 'Compressed layer bytes downloaded by pulls',
      registers,
    });
    this.unpack = new Histogram({
      name: 'flotilla_layer_unpack_duration_seconds',
      help:
        'Per layer a pull unpacked, Extracting to Pull complete: the whole unpack of a layer ' +
        'unpacked from the content store, the part after its download for one unpacked while ' +
        'it downloads',
      buckets: durationBuckets,
      registers,
    });
    this.unpackBytes = new Counter({
      name: 'flotilla_layer_unpack_bytes_total',
      help: 'Uncompressed bytes of the layers pulls unpacked',
      registers,
    });
    this.ruleApplies = new Counter({
      name: 'flotilla_network_rule_applies_total',
      help: 'Network rule sets applied (port publishing, routing mesh, routes)',
      labelNames: ['kind'],
      registers,
    });
  }

  /** The engine's health-check listener: every probe run is timed, status changes counted. */
  readonly onHealthCheck = (_id: string, run: HealthCheckRun): void => {
    const result = run.exitCode === 0 ? 'success' : 'failure';
    this.healthChecks.observe({ result }, run.durationMs / 1000);
    if (run.to !== run.from) this.healthTransitions.inc({ status: run.to });
  };

  /** Told each network rule apply (network components). */
  readonly onRuleApply = (kind: string): void => {
    this.ruleApplies.inc({ kind });
  };

  /** The same runtime, with each timed operation's duration observed. */
  instrumentRuntime<T extends object>(runtime: T): T {
    const timed = new Set<string | symbol>(timedOperations);
    const observe = (operation: string, startedMs: number, result: 'ok' | 'error') =>
      this.operations.observe({ operation, result }, (performance.now() - startedMs) / 1000);
    return new Proxy(runtime, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (!timed.has(prop)) return fn.bind(target);
        return async (...args: unknown[]) => {
          const startedMs = performance.now();
          try {
            const r = await fn.apply(target, args);
            observe(String(prop), startedMs, 'ok');
            return r;
          } catch (err) {
            observe(String(prop), startedMs, 'error');
            throw err;
          }
        };
      },
    });
  }

  /** The same image service, with pull durations, bytes and layer unpack times observed. */
  instrumentImages<T extends Pick<ImageService, 'pull'>>(images: T): T {
    const pulls = this.pulls;
    const progressObserver = (next?: (e: ProgressEvent) => void, unpacked?: Set<string>) =>
      this.progressObserver(next, unpacked);
    const countUnpacked = (r: PulledLayers, unpacked: Set<string>) => {
      for (const l of r.record?.layers ?? [])
        if (unpacked.has(shortHex(l.digest))) this.unpackBytes.inc(l.sizeBytes);
    };
    return new Proxy(images, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        if (prop !== 'pull') return fn.bind(target);
        const pull: ImageService['pull'] = async (name, opts = {}) => {
          const startedMs = performance.now();
          const unpacked = new Set<string>();
          const progress = progressObserver(opts.onProgress, unpacked);
          try {
            const r = await (fn as ImageService['pull']).call(target, name, {
              ...opts,
              onProgress: progress,
            });
            pulls.observe({ result: 'ok' }, (performance.now() - startedMs) / 1000);
            countUnpacked(r as PulledLayers, unpacked);
            return r;
          } catch (err) {
            pulls.observe({ result: 'error' }, (performance.now() - startedMs) / 1000);
            throw err;
          }
        };
        return pull;
      },
    });
  }

  /**
   * A progress sink that counts downloaded bytes and times each layer's unpack (noting the layer's
   * short id in `unpacked`), then forwards.
   */
  private progressObserver(
    next?: (e: ProgressEvent) => void,
    unpacked = new Set<string>(),
  ): (e: ProgressEvent) => void {
    const totals = new Map<string, number>();
    const extracting = new Map<string, number>();
    return (e) => {
      const id = e.id ?? '';
      if (e.status === 'Downloading' && e.progress) totals.set(id, e.progress.total);
      else if (e.status === 'Download complete') this.pullBytes.inc(totals.get(id) ?? 0);
      else if (e.status === 'Extracting' && !extracting.has(id))
        extracting.set(id, performance.now());
      else if (e.status === 'Pull complete' && extracting.has(id)) {
        this.unpack.observe((performance.now() - extracting.get(id)!) / 1000);
        unpacked.add(id);
      }
      next?.(e);
    };
  }
}

/** What a pull's result says of its layers (the image record). */
interface PulledLayers {
  record?: { layers?: { digest: string; sizeBytes: number }[] };
}

/** The short id progress events name a layer by: the first 12 hex digits of its digest. */
function shortHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}
