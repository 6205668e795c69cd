// What every command handler gets: how to reach the agent and the manager, where to write output,
// and the global flags. Built once in main.ts from flags and environment.
import { AgentClient } from './clients/agent-client.js';

export interface CliContext {
  /** The agent at -H/--host or FLOTILLA_HOST. Created lazily so commands that need none never connect. */
  agent(): AgentClient;
  debug: boolean;
  /** The context name from --context or FLOTILLA_CONTEXT, for cluster commands. */
  contextName?: string;
  /** True when -H/--host or FLOTILLA_HOST named an agent (commands for both go to the agent). */
  hostGiven: boolean;
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream;
}

export function createCliContext(opts: {
  host?: string;
  debug: boolean;
  context?: string;
}): CliContext {
  let agent: AgentClient | undefined;
  return {
    agent: () => (agent ??= new AgentClient(opts.host)),
    debug: opts.debug,
    contextName: opts.context ?? process.env.FLOTILLA_CONTEXT,
    hostGiven: Boolean(opts.host || process.env.FLOTILLA_HOST),
    out: process.stdout,
    err: process.stderr,
  };
}
