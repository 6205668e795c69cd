// Drives a TestAgent with the reference Docker clients: the docker CLI (DOCKER_HOST on the agent's
// socket, a private DOCKER_CONFIG) and python3 with docker-py.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult, TestAgent } from '../runtime/harness.js';

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

/** `docker ARGS` against the agent. */
export function dockerCli(
  agent: TestAgent,
  extraEnv: NodeJS.ProcessEnv = {},
): (args: string[], input?: string) => Promise<CliResult> {
  const config = mkdtempSync('/tmp/flt-docker-config-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${socketOf(agent)}`,
    DOCKER_CONFIG: config,
  };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_API_VERSION;
  Object.assign(env, extraEnv);
  return (args, input) => run('docker', args, env, input);
}

/** Runs a python3 script with `client` bound to docker.DockerClient on the agent's socket. */
export function dockerPy(agent: TestAgent): (script: string) => Promise<CliResult> {
  const prelude = `import docker, sys, json\nclient = docker.DockerClient(base_url='unix://${socketOf(agent)}')\n`;
  return (script) => run('python3', ['-c', prelude + script], { ...process.env });
}
