// A ContainerEngine that keeps containers in memory: create/start/stop/wait behave like the real
// one as far as the executor can tell, without images, processes or root. Tests (and the
// scheduler benchmark's simulated agents) drive exits and health by hand.
import { EventEmitter } from 'node:events';
import type {
  ContainerCreateOptions,
  ContainerEngine,
  ContainerEvent,
  ContainerState,
  ContainerSummary,
} from '../../../agent/runtime/types.js';

interface FakeContainer {
  id: string;
  opts: ContainerCreateOptions;
  state: ContainerState;
  exitCode?: number;
  createdAt: string;
  address?: string;
}

/** Addresses unique across every fake engine of the process (10.0.0.1, 10.0.0.2, ...). */
let lastAddress = 0;
function nextAddress(): string {
  const n = ++lastAddress;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export class FakeEngine implements ContainerEngine {
  readonly containers = new Map<string, FakeContainer>();
  private readonly events = new EventEmitter();
  private seq = 0;
  /** Counters tests assert on: a reconnect must not start containers again. */
  starts = 0;
  creates = 0;
  /** Set to make `create` fail (e.g. image not found). */
  failCreate?: Error;
  /** Log lines per container id, as `writeLog` added them. */
  readonly logLines = new Map<
    string,
    { stream: 'stdout' | 'stderr'; time: string; data: Buffer }[]
  >();

  /**
   * @param opts.addresses give each container an address (`NetworkSettings.IPAddress`), which the
   * executor reports and the routing mesh forwards to; off by default, as containers without one.
   */
  constructor(private readonly opts: { addresses?: boolean } = {}) {
    this.events.setMaxListeners(0);
  }

  async create(opts: ContainerCreateOptions) {
    if (this.failCreate) throw this.failCreate;
    const id = `c${String(++this.seq).padStart(11, '0')}`;
    this.containers.set(id, {
      id,
      opts,
      state: 'created',
      createdAt: new Date().toISOString(),
      ...(this.opts.addresses ? { address: nextAddress() } : {}),
    });
    this.creates++;
    this.emit(id, 'create');
    return { id, warnings: [] };
  }

  async start(id: string) {
    const c = this.must(id);
    c.state = 'running';
    this.starts++;
    this.emit(id, 'start');
  }

  async stop(id: string) {
    const c = this.must(id);
    if (c.state === 'running') this.exit(id, 143);
  }

  async kill(id: string) {
    this.exit(id, 137);
  }

  async remove(id: string) {
    this.must(id);
    this.containers.delete(id);
    this.emit(id, 'destroy');
  }

  async inspect(id: string): Promise<Record<string, unknown>> {
    const c = this.must(id);
    return {
      Id: id,
      State: { Status: c.state, ExitCode: c.exitCode ?? 0 },
      Config: { Labels: c.opts.labels },
      ...(c.address ? { NetworkSettings: { IPAddress: c.address } } : {}),
    };
  }

  async list(
    opts: { all?: boolean; labels?: Record<string, string> } = {},
  ): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => opts.all || c.state === 'running')
      .filter((c) => Object.entries(opts.labels ?? {}).every(([k, v]) => c.opts.labels?.[k] === v))
      .map((c) => ({
        id: c.id,
        name: c.opts.name ?? c.id,
        image: c.opts.image,
        imageId: '',
        command: '',
        createdAt: c.createdAt,
        state: c.state,
        status: c.state,
        ports: c.opts.ports ?? [],
        labels: c.opts.labels ?? {},
      }));
  }

  wait(id: string, signal?: AbortSignal): Promise<number> {
    const c = this.must(id);
    if (c.state === 'exited') return Promise.resolve(c.exitCode ?? 0);
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(code);
      };
      const onAbort = () => {
        this.events.off(`exit:${id}`, onExit);
        reject(new Error('aborted'));
      };
      this.events.once(`exit:${id}`, onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  subscribe(listener: (e: ContainerEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  /** Test helper: the container's process exits with `code`. */
  exit(id: string, code: number): void {
    const c = this.must(id);
    if (c.state !== 'running') return;
    c.state = 'exited';
    c.exitCode = code;
    this.emit(id, 'die', { exitCode: String(code) });
    this.events.emit(`exit:${id}`, code);
  }

  /** Test helper: the container writes a line to its log. */
  writeLog(
    id: string,
    text: string,
    stream: 'stdout' | 'stderr' = 'stdout',
    time = new Date(),
  ): void {
    this.must(id);
    const list = this.logLines.get(id) ?? [];
    list.push({ stream, time: time.toISOString(), data: Buffer.from(text + '\n') });
    this.logLines.set(id, list);
    this.events.emit(`log:${id}`);
  }

  /** Like the runtime's logs: tail, since, then (follow) new lines until exit or abort. */
  async *logs(
    id: string,
    opts: { tail?: number; follow?: boolean; since?: number; signal?: AbortSignal },
  ): AsyncIterable<{ stream: 'stdout' | 'stderr'; time: string; data: Buffer }> {
    this.must(id);
    const lines = () => this.logLines.get(id) ?? [];
    const sinceIso = opts.since ? new Date(opts.since * 1000).toISOString() : '';
    let all = lines().filter((l) => l.time >= sinceIso);
    if (opts.tail !== undefined) all = opts.tail === 0 ? [] : all.slice(-opts.tail);
    yield* all;
    if (!opts.follow) return;
    let seen = lines().length;
    while (!opts.signal?.aborted && this.containers.get(id)?.state === 'running') {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.events.off(`log:${id}`, done);
          this.events.off(`exit:${id}`, done);
          opts.signal?.removeEventListener('abort', done);
          resolve();
        };
        this.events.on(`log:${id}`, done);
        this.events.on(`exit:${id}`, done);
        opts.signal?.addEventListener('abort', done);
      });
      const now = lines();
      yield* now.slice(seen);
      seen = now.length;
    }
  }

  /** Test helper: a health check result. */
  health(id: string, status: 'healthy' | 'unhealthy' | 'starting'): void {
    this.emit(id, 'health_status', { health_status: status });
  }

  byTask(taskId: string): FakeContainer | undefined {
    return [...this.containers.values()].find(
      (c) => c.opts.labels?.['com.flotilla.task.id'] === taskId,
    );
  }

  private must(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no such container: ${id}`);
    return c;
  }

  private emit(
    id: string,
    action: ContainerEvent['action'],
    attributes: Record<string, string> = {},
  ) {
    const c = this.containers.get(id);
    this.events.emit('event', {
      type: 'container',
      action,
      id,
      name: c?.opts.name ?? id,
      time: new Date().toISOString(),
      attributes,
    } satisfies ContainerEvent);
  }
}
