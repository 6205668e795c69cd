// Public surface of the container runtime.
export { RuncContainerEngine, type EngineDeps } from './engine.js';
export { imageServiceSource, type ImageSource, type RuntimeImage } from './images/source.js';
export { buildRuntime } from './wiring.js';
export { checkRequestedIp } from './container/placement.js';
export type { HealthCheckRun } from './health/monitor.js';
export { ClusterAttachmentsLink, type ClusterAttachments } from './cluster-attachments.js';
export type {
  AttachSession,
  AttachStreams,
  ContainerCreateOptions,
  ContainerEngine,
  ContainerEvent,
  ContainerFiles,
  ContainerRuntime,
  ContainerState,
  ContainerStats,
  ContainerSummary,
  ContainerUpdate,
  ExecOptions,
  HealthSpec,
  LogEntry,
  LogOptions,
  MountSpec,
  RestartPolicySpec,
  VolumeInfo,
} from './types.js';
