// The agent's local engine API as both ends see it: the JSON the CLI sends and the agent answers
// (containers, volumes, networks, registry credentials), the log drivers every entry point checks,
// and the parsers of the runtime options every entry point shares (runtime-options.ts).
export type {
  ContainerCreateOptions,
  ContainerEvent,
  ContainerState,
  ContainerStats,
  ContainerSummary,
  ContainerUpdate,
  ExtraNetwork,
  HealthSpec,
  MountSpec,
  RestartPolicySpec,
  VolumeInfo,
} from './containers.js';
export type { EngineEventMessage, ObjectEvent } from './events.js';
export { eventFilterKeys } from './events.js';
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
export {
  capabilityNames,
  checkCapability,
  checkDnsOption,
  checkDnsSearch,
  checkGroup,
  checkNameserver,
  checkSysctl,
  checkUlimit,
  HOST_GATEWAY,
  parseExtraHost,
  parseSysctl,
  parseUlimit,
  ulimitNames,
  type Ulimit,
} from './runtime-options.js';
export {
  checkDevice,
  checkNamespaceMode,
  checkOomScoreAdj,
  DEFAULT_SHM_SIZE_BYTES,
  joinedContainer,
  parseCpuset,
  parseDevice,
  parseDeviceCgroupRule,
  parseGpus,
  validateSpecOptions,
  type DeviceMapping,
  type DeviceRequest,
  type DeviceRule,
  type RuntimeSpecOptions,
} from './spec-options.js';
export {
  containerFilterKeys,
  filterContainers,
  isContainerFilterKey,
  matchContainer,
} from './container-filters.js';
