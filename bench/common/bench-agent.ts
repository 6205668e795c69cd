// One real agent for a benchmark: its own data and exec roots under a temporary folder, started
// through the CLI under test, spoken to over its unix socket, and removed with its network after.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { removeAgentNetwork } from '../../test/harness/agent-network.js';
import { busyboxImage, dockerArchive } from '../../test/integration/runtime/harness.js';

export interface BenchAgentOptions {
  /** The CLI under test (bin/flotilla or a bundle); `node <cli> agent …` starts the agent. */
  cli: string;
  /** mkdtemp prefix of the folder holding everything the agent writes, e.g. /tmp/flt-bench-rt- */
  tmpPrefix: string;
  /** --node-subnet: one of its own, so that it does not meet another agent's bridge. */
  subnet: string;
  /** Node options placed before the CLI (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export interface BenchAgent {
  process: ChildProcess;
  /** The temporary folder; removed by stop(). */
  dir: string;
  dataRoot: string;
  execRoot: string;
  socketPath: string;
  /** The environment that points a flotilla CLI at this agent (own config folder). */
  env: NodeJS.ProcessEnv;
  /** `node <cli> …args` against this agent; its stdout, or throws with its stderr. */
  cli(args: string[], input?: Buffer): string;
  /** One HTTP request over the agent's socket; the body as text, whatever the status. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** Loads the test busybox image as busybox:latest. */
  loadBusybox(): Promise<void>;
  /** Stops the agent, removes its network and its folder. */
  stop(): Promise<void>;
}

/** Starts the agent and waits (up to 30 s) for its socket. */
export async function startBenchAgent(o: BenchAgentOptions): Promise<BenchAgent> {
  const dir = mkdtempSync(o.tmpPrefix);
  const dataRoot = join(dir, 'd');
  const execRoot = join(dir, 'r');
  const socketPath = join(execRoot, 'agent.sock');
  const env = {
    ...process.env,
    FLOTILLA_HOST: `unix://${socketPath}`,
    FLOTILLA_CONFIG: join(dir, 'cli'),
  };
  const args = ['agent', '--data-root', dataRoot, '--exec-root', execRoot];
  const child = spawn('node', [...(o.nodeArgs ?? []), o.cli, ...args, '--node-subnet', o.subnet], {
    stdio: 'ignore',
    env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' },
  });
  for (let i = 0; i < 300 && !existsSync(socketPath); i++)
    await new Promise((r) => setTimeout(r, 100));

  const cli = (cliArgs: string[], input?: Buffer): string => {
    const r = spawnSync('node', [o.cli, ...cliArgs], { env, input, maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`flotilla ${cliArgs.join(' ')}: ${r.stderr}`);
    return r.stdout.toString();
  };
  return {
    process: child,
    dir,
    dataRoot,
    execRoot,
    socketPath,
    env,
    cli,
    api: (method, path, body) => requestOverSocket(socketPath, method, path, body),
    async loadBusybox() {
      cli(['load'], await dockerArchive(await busyboxImage(), 'busybox:latest'));
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await removeAgentNetwork(dataRoot);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (err) {
        process.stderr.write(`left ${dir}: ${String(err)}\n`);
      }
    },
  };
}

function requestOverSocket(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
