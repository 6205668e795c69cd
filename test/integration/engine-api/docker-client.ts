// Drives a TestAgent with the reference Docker clients: the docker CLI (DOCKER_HOST on the agent's
// socket, a private DOCKER_CONFIG) and python3 with docker-py.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult, CliStream, TestAgent } from '../runtime/harness.js';

export function socketOf(agent: TestAgent): string {
  return join(agent.execRoot, 'agent.sock');
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({
        status,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

/** The environment of a docker CLI aimed at the agent, with a private DOCKER_CONFIG. */
export function dockerEnv(agent: TestAgent, extraEnv: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${socketOf(agent)}`,
    DOCKER_CONFIG: mkdtempSync('/tmp/flt-docker-config-'),
  };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_API_VERSION;
  return Object.assign(env, extraEnv);
}

/** `docker ARGS` against the agent. */
export function dockerCli(
  agent: TestAgent,
  extraEnv: NodeJS.ProcessEnv = {},
): (args: string[], input?: string) => Promise<CliResult> {
  const env = dockerEnv(agent, extraEnv);
  return (args, input) => run('docker', args, env, input);
}

/** A long-running `docker ARGS` (`logs -f`, `stats`) read while it runs, as TestAgent.stream. */
export function dockerStream(env: NodeJS.ProcessEnv, args: string[]): CliStream {
  const p = spawn('docker', args, { env });
  const s: CliStream = {
    stdout: '',
    stderr: '',
    exited: new Promise((r) => p.on('close', (code) => r(code))),
    stop: async () => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      // docker CLI 28's `stats CONTAINER` closes its stream on SIGTERM but never exits (it does
      // after a third signal; docker/cli#6090): end it if SIGTERM did not.
      const kill = setTimeout(() => p.kill('SIGKILL'), 5_000);
      await s.exited;
      clearTimeout(kill);
      return s;
    },
  };
  p.stdout.on('data', (d: Buffer) => (s.stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (s.stderr += d.toString()));
  p.stdin.end();
  return s;
}

/** Runs a python3 script with `client` bound to docker.DockerClient on the agent's socket. */
export function dockerPy(agent: TestAgent): (script: string) => Promise<CliResult> {
  const prelude = `import docker, sys, json\nclient = docker.DockerClient(base_url='unix://${socketOf(agent)}')\n`;
  return (script) => run('python3', ['-c', prelude + script], { ...process.env });
}
