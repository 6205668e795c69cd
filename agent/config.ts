// The agent's settings: flags, then FLOTILLA_* environment, then /etc/flotilla/agent.json.
import { join } from 'node:path';
import {
  defaultAgentHost,
  defaultDataRoot,
  defaultExecRoot,
  readSettingsFile,
  resolveJoinToken,
  resolveSettings,
  socketPathFromHost,
} from '../shared/config/index.js';

export interface AgentSettings {
  dataRoot: string;
  execRoot: string;
  host: string;
  insecureRegistries: string[];
  join: string;
  token: string;
  /** A file holding the join token (0600): keeps it out of argv. */
  tokenFile: string;
  nodeSubnet: string;
  advertiseAddr: string;
  hostname: string;
  /** OCI runtime for containers created without one: runc or crun. */
  defaultRuntime: string;
  /** host:port of the plain-HTTP Prometheus endpoint (Docker's --metrics-addr); '' = off. */
  metricsAddr: string;
  /** Log driver of containers created without --log-driver (dockerd's log-driver). */
  logDriver: string;
  /** Its options, KEY=VALUE (dockerd's log-opts). */
  logOpts: string[];
}

/** What the command line may set: the settings, and which config file to read them from. */
export type AgentFlagSettings = AgentSettings & { configFile: string };

export interface AgentConfig extends AgentSettings {
  socketPath: string;
}

export function agentConfig(flags: Partial<AgentFlagSettings>): AgentConfig {
  const defaults: AgentSettings = {
    dataRoot: defaultDataRoot,
    execRoot: defaultExecRoot,
    host: '',
    insecureRegistries: [],
    join: '',
    token: '',
    tokenFile: '',
    nodeSubnet: '',
    advertiseAddr: '',
    hostname: '',
    defaultRuntime: 'runc',
    metricsAddr: '',
    logDriver: 'json-file',
    logOpts: [],
  };
  const file = readSettingsFile(
    flags.configFile ?? process.env.FLOTILLA_CONFIG_FILE ?? '/etc/flotilla/agent.json',
    defaults,
  );
  const { configFile: _, ...given } = flags;
  const s = resolveSettings(defaults, given, file);
  // The socket defaults into the exec root, so `--exec-root` alone is enough to run a second agent.
  const host =
    s.host ||
    (s.execRoot === defaultExecRoot
      ? defaultAgentHost
      : `unix://${join(s.execRoot, 'agent.sock')}`);
  return { ...s, token: resolveJoinToken(s), host, socketPath: socketPathFromHost(host) };
}
