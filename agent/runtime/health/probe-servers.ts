// Health checks through one long-lived flotilla-probe per container (probe-helper.c): started once
// with `runc exec -d` (so it has everything a `runc exec` has: namespaces, cgroup, user, env,
// capabilities, no_new_privs, seccomp), it then forks each check itself. A check costs a fork and
// an exec instead of a `runc exec`; `probe` answers undefined when no helper can serve, and the
// caller runs the check with `runc exec` as before. Design and limits: docs/design/runtime.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from '../../../shared/log/index.js';
import type { ContainerRecord } from '../container/record.js';
import { runcExecArgs, type ExecHost } from '../exec/exec.js';
import { decodeAnswers, encodeRequest, type ProbeAnswer } from './probe-wire.js';
import { builtHelper } from '../native-helpers.js';

/** How long past its own timeout a check may take to answer before its server is killed. */
const ANSWER_GRACE_MS = 5_000;

/** The built flotilla-probe; FLOTILLA_PROBE_HELPER overrides it, `none` turns it off (every check
 * a `runc exec`). */
function helperBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FLOTILLA_PROBE_HELPER === 'none') return undefined;
  if (env.FLOTILLA_PROBE_HELPER) return env.FLOTILLA_PROBE_HELPER;
  return builtHelper('flotilla-probe');
}

interface Server {
  proc: ChildProcess;
  /** The server's stdin (requests), kept apart from `proc` (see launch). */
  stdin: Writable;
  pidFile: string;
  /** The answers still owed, oldest first. */
  waiting: ((a: ProbeAnswer | undefined) => void)[];
  /** Checks of one container run one after another (Docker's monitor does not overlap them). */
  queue: Promise<unknown>;
}

export class ProbeServers {
  private readonly servers = new Map<string, Promise<Server | undefined>>();
  /** Containers whose server could not start: their checks use `runc exec`. */
  private readonly refused = new Set<string>();
  private sealed?: Promise<number | undefined>;
  private readonly binary: string | undefined;

  constructor(
    private readonly deps: {
      hostOf(rec: ContainerRecord): ExecHost;
      log: Logger;
      /** The helper's path; null: none (tests). @default dist/native/flotilla-probe */
      binary?: string | null;
    },
  ) {
    this.binary = deps.binary === null ? undefined : (deps.binary ?? helperBinary());
    if (!this.binary && process.env.FLOTILLA_PROBE_HELPER !== 'none' && deps.binary !== null)
      deps.log.warn('flotilla-probe is not built (npm run build): health checks use runc exec');
  }

  /** Runs a check in the container's server; undefined when it has none (use `runc exec`). */
  async probe(
    rec: ContainerRecord,
    cmd: string[],
    timeoutMs: number,
  ): Promise<ProbeAnswer | undefined> {
    if (!this.binary || this.refused.has(rec.id)) return undefined;
    let pending = this.servers.get(rec.id);
    if (!pending) {
      pending = this.launch(rec);
      this.servers.set(rec.id, pending);
    }
    const server = await pending;
    if (!server) return undefined;
    const run = server.queue.then(() => this.ask(rec.id, server, cmd, timeoutMs));
    server.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends a container's server (its checks stop, or it stops). */
  release(id: string): void {
    const pending = this.servers.get(id);
    this.servers.delete(id);
    this.refused.delete(id);
    void pending?.then((s) => s?.stdin.end());
  }

  stopAll(): void {
    for (const id of [...this.servers.keys()]) this.release(id);
    void this.sealed?.then((fd) => fd !== undefined && closeSync(fd));
    this.sealed = undefined;
  }

  private ask(
    id: string,
    server: Server,
    cmd: string[],
    timeoutMs: number,
  ): Promise<ProbeAnswer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.deps.log.warn({ containerId: id }, 'health probe server did not answer; killed');
        this.kill(server);
      }, timeoutMs + ANSWER_GRACE_MS);
      server.waiting.push((a) => {
        clearTimeout(timer);
        resolve(a ?? { exitCode: -1, output: 'Health check exceeded timeout' });
      });
      server.stdin.write(encodeRequest(cmd, timeoutMs));
    });
  }

  private kill(server: Server): void {
    try {
      process.kill(Number(readFileSync(server.pidFile, 'utf8')), 'SIGKILL');
    } catch {
      server.stdin.destroy();
    }
  }

  private async launch(rec: ContainerRecord): Promise<Server | undefined> {
    const fd = await this.sealedCopy();
    if (fd === undefined) return this.refuse(rec.id, 'no sealed copy of flotilla-probe');
    const host = this.deps.hostOf(rec);
    const pidFile = join(host.bundleDir(rec.id), 'probe.pid');
    const args = runcExecArgs(host, rec, { cmd: ['/proc/self/fd/3', 'serve'] }, pidFile, [
      '--detach',
      '--preserve-fds',
      '1',
    ]);
    const proc = spawn(host.runc.deps.binary, args, {
      stdio: ['pipe', 'pipe', 'pipe', fd],
    });
    // Node destroys a child's stdin when the child exits, and runc exits as soon as the server
    // runs: keep the stream as ours, or the server would read EOF and end at once.
    const stdin = proc.stdin!;
    (proc as { stdin: unknown }).stdin = null;
    const server: Server = { proc, stdin, pidFile, waiting: [], queue: Promise.resolve() };
    const errors: Buffer[] = [];
    proc.stderr!.on('data', (d: Buffer) => errors.length < 16 && errors.push(d));
    stdin.on('error', () => undefined);
    let buffered: Buffer = Buffer.alloc(0);
    proc.stdout!.on('data', (d: Buffer) => {
      const { answers, rest } = decodeAnswers(Buffer.concat([buffered, d]));
      buffered = rest;
      for (const a of answers) server.waiting.shift()?.(a);
    });
    // The server ends with its container (or when killed): owed answers fail, the next check
    // starts a new one.
    proc.stdout!.on('close', () => {
      for (const w of server.waiting.splice(0)) w(undefined);
      const entry = this.servers.get(rec.id);
      void entry?.then((s) => {
        if (s === server && this.servers.get(rec.id) === entry) this.servers.delete(rec.id);
      });
      void rm(pidFile, { force: true });
    });
    const code = await new Promise<number>((res) => {
      proc.on('error', () => res(-1));
      proc.on('exit', (c) => res(c ?? -1));
    });
    if (code !== 0) {
      stdin.destroy();
      return this.refuse(rec.id, Buffer.concat(errors).toString().trim() || `runc exited ${code}`);
    }
    return server;
  }

  private refuse(id: string, reason: string): undefined {
    this.deps.log.warn(
      { containerId: id, reason },
      'health probe server did not start; using runc exec',
    );
    this.refused.add(id);
    this.servers.delete(id);
    return undefined;
  }

  /**
   * The sealed memfd copy of the helper, as a descriptor of ours to hand to runc. `hold` makes it
   * (Node cannot) and exits once we have opened it; the copy lives as long as our descriptor.
   */
  private sealedCopy(): Promise<number | undefined> {
    this.sealed ??= new Promise<number | undefined>((resolve) => {
      const proc = spawn(this.binary!, ['hold'], { stdio: ['pipe', 'pipe', 'ignore'] });
      proc.on('error', () => resolve(undefined));
      proc.on('exit', () => resolve(undefined));
      proc.stdout!.once('data', () => {
        try {
          resolve(openSync(`/proc/${proc.pid}/fd/3`, 'r'));
        } catch {
          resolve(undefined);
        }
        proc.stdin!.end();
      });
    }).then((fd) => {
      if (fd === undefined) this.sealed = undefined; // try again at the next launch
      return fd;
    });
    return this.sealed;
  }
}
