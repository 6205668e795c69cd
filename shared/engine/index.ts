// The agent's local engine API as both ends see it: the JSON the CLI sends and the agent answers
// (containers, volumes, networks, registry credentials), and the log drivers every entry point checks.
export type {
  ContainerCreateOptions,
  ContainerEvent,
  ContainerState,
  ContainerStats,
  ContainerSummary,
  HealthSpec,
  MountSpec,
  RestartPolicySpec,
  VolumeInfo,
} from './containers.js';
export type { NetworkCreateOptions, NetworkInfo, PortBinding } from './networks.js';
export type { Credentials } from './credentials.js';
export {
  logDriverNames,
  parseLogOptFlags,
  parseSyslogAddress,
  syslogFacilities,
  validateLogDriver,
} from './log-drivers.js';
export type { LogDriverConfig, LogDriverName, SyslogAddress } from './log-drivers.js';
