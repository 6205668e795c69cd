// The agent's local engine API as both ends see it: the JSON the CLI sends and the agent answers
// (containers, volumes, networks, registry credentials). Types only; agent/ implements them.
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
