export { taskStates, isTerminal, isForward } from './task-state.js';
export type { TaskState, DesiredState } from './task-state.js';
export type {
  PortConfig,
  Mount,
  HealthConfig,
  Resources,
  RestartPolicy,
  Placement,
  ContainerSpec,
  LogDriverConfig,
  TaskTemplate,
  UpdateConfig,
  ServiceMode,
  EndpointSpec,
  ServiceSpec,
  UpdateState,
  UpdateStatus,
  Service,
  SealedRegistryAuth,
} from './service.js';
export type {
  ManagerStatus,
  Node,
  NodeDescription,
  NodeSpec,
  NodeStatus,
  NodeTlsInfo,
} from './node.js';
export type { Task, TaskStatus } from './task.js';
export type { Config, ConfigReference, FileReference, Secret, SecretReference } from './secret.js';
export { fileTargetPath, fileTargetProblem, maxSecretBytes, secretNameProblem } from './secret.js';
export type { ContainerRuntimeOptions, DnsConfig, Ulimit } from './container-runtime.js';
export type {
  ContainerAttachment,
  Network,
  NetworkAttachmentConfig,
  NetworkSpec,
  TaskNetworkAttachment,
  VirtualIp,
} from './network.js';
export { VXLAN_OVERHEAD, ESP_OVERHEAD } from './network.js';
export {
  compareAddr,
  diffOverlay,
  diffOverlayNetwork,
  OverlaySet,
  type OverlayEndpoint,
  type OverlayKey,
  type OverlayNetworkChange,
  type OverlayNetworkState,
  type OverlayService,
} from './overlay.js';
export type { IngressService, IngressPort } from './ingress.js';
export { diffIngress, IngressSet, type IngressChange } from './ingress-changes.js';
export {
  defaultRestartPolicy,
  defaultServiceSpec,
  defaultUpdateConfig,
} from './service-defaults.js';
