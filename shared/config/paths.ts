// Where each process keeps its state and sockets. Defaults follow Docker's layout
// (/var/lib/flotilla, /run/flotilla); the flags --data-root, --exec-root and -H override them so
// several agents can run side by side on one machine.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const defaultDataRoot = '/var/lib/flotilla';
export const defaultExecRoot = '/run/flotilla';
export const defaultAgentSocket = `${defaultExecRoot}/agent.sock`;
export const defaultAgentHost = `unix://${defaultAgentSocket}`;
export const defaultManagerGrpcPort = 4242;
export const defaultManagerApiPort = 4243;

/** Directory of the CLI's own files (contexts, credentials). `FLOTILLA_CONFIG` overrides it. */
export function cliConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLOTILLA_CONFIG || join(env.HOME || homedir(), '.flotilla');
}

/** Turns `unix:///path` or a bare path into a socket path; `tcp://` is not served by the agent. */
export function socketPathFromHost(host: string): string {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  return host;
}
