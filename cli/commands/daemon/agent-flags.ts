// The flags of `flotilla agent`, each bound to the agent setting it sets (agent/config.ts).
import type { AgentFlagSettings } from '../../../agent/index.js';
import type { FlagBinding } from './flag-table.js';

export const agentFlags: readonly FlagBinding<AgentFlagSettings>[] = [
  {
    flag: '--data-root <dir>',
    description: 'root of persistent state (default /var/lib/flotilla)',
    setting: 'dataRoot',
    type: 'string',
  },
  {
    flag: '--exec-root <dir>',
    description: 'root of runtime state and sockets (default /run/flotilla)',
    setting: 'execRoot',
    type: 'string',
  },
  {
    flag: '--config-file <file>',
    description: 'JSON config file (default /etc/flotilla/agent.json; flags override it)',
    setting: 'configFile',
    type: 'string',
  },
  {
    // Singular like docker's, repeatable; the setting is the list.
    flag: '--insecure-registry <host:port>',
    description: 'registry to reach over plain HTTP (repeatable)',
    setting: 'insecureRegistries',
    type: 'list',
  },
  {
    flag: '--join <addr>',
    description: 'manager address (ADDR:4242) to join',
    setting: 'join',
    type: 'string',
  },
  {
    flag: '--token <token>',
    description: 'join token printed by `flotilla cluster join-token`',
    setting: 'token',
    type: 'string',
  },
  {
    flag: '--token-file <file>',
    description: 'file (0600) holding the join token; or FLOTILLA_JOIN_TOKEN',
    setting: 'tokenFile',
    type: 'string',
  },
  {
    flag: '--node-subnet <cidr>',
    description: 'container subnet of this machine',
    setting: 'nodeSubnet',
    type: 'string',
  },
  {
    flag: '--advertise-addr <ip>',
    description: 'address other nodes reach this node at',
    setting: 'advertiseAddr',
    type: 'string',
  },
  {
    flag: '--hostname <name>',
    description: 'node hostname reported to the manager',
    setting: 'hostname',
    type: 'string',
  },
  {
    flag: '--default-runtime <name>',
    description:
      'OCI runtime of containers created without --runtime: runc (default) or crun (cgroup v2 only)',
    setting: 'defaultRuntime',
    type: 'string',
  },
  {
    flag: '--metrics-addr <addr>',
    description:
      'serve Prometheus metrics over plain HTTP at ADDR/metrics (loopback or a scrape network)',
    setting: 'metricsAddr',
    type: 'string',
  },
  {
    flag: '--log-driver <driver>',
    description: 'log driver of containers created without one (default json-file)',
    setting: 'logDriver',
    type: 'string',
  },
  {
    flag: '--log-opt <K=V>',
    description: 'option of the default log driver (repeatable)',
    setting: 'logOpts',
    type: 'list',
  },
];
