// Settings of `flotilla manager`: flags, then FLOTILLA_* environment, then the config file
// (/etc/flotilla/manager.json unless --config-file names another), then defaults.
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  defaultDataRoot,
  defaultExecRoot,
  defaultManagerGrpcPort,
  readSettingsFile,
  resolveJoinToken,
  resolveSettings,
} from '../shared/config/index.js';
import { joinHostPort, splitHostPort } from '../shared/net/host-port.js';
import { addressPoolFromFlags, type AddressPoolSetting } from './address-pool.js';
import { apiLimits, defaultApiLimits, type ApiLimits } from './api/index.js';

export interface ManagerSettings {
  /** @default /var/lib/flotilla/manager */
  dataRoot: string;
  /** @default /run/flotilla */
  execRoot: string;
  /** etcd client URLs; empty = run an embedded etcd under <dataRoot>/etcd. @default [] */
  etcd: string[];
  etcdCacert: string;
  etcdCert: string;
  etcdKey: string;
  /** @default 0.0.0.0:4242 */
  listenGrpc: string;
  /** @default the gRPC host, port + 1 (4243) */
  listenApi: string;
  /** Address agents and other managers reach this manager at. @default first non-loopback IPv4 */
  advertiseAddr: string;
  init: boolean;
  /**
   * Recovery of a cluster that lost its quorum for good: the embedded etcd starts as the only
   * member of a new cluster from this manager's data (etcd's --force-new-cluster). Flag only.
   */
  forceNewCluster: boolean;
  join: string;
  token: string;
  /** A file holding the manager join token (0600): keeps it out of argv. */
  tokenFile: string;
  /** @default default */
  clusterName: string;
  /** Serve the API on <execRoot>/manager.sock as well (root only). @default true */
  socket: boolean;
  /** host:port of the plain-HTTP Prometheus endpoint (Docker's --metrics-addr). @default '' (off) */
  metricsAddr: string;
  /**
   * --init only: where node subnets come from, in order (Docker's --default-addr-pool, repeatable;
   * a string may list several, comma separated). @default 10.240.0.0/16
   */
  defaultAddrPool: string | string[];
  /** --init only: prefix length of each node subnet, in every pool. @default 24 */
  defaultAddrPoolMaskLength: number;
  /** API: a request must have arrived within this long (api/limits.ts). @default 30000 */
  apiRequestTimeoutMs: number;
  /** API: connections open at once. @default 1024 */
  apiMaxConnections: number;
  /** API: GET /ca and POST /join calls per client address in a burst. @default 20 */
  apiJoinBurst: number;
  /** API: the burst refills at this many calls a minute; 0 = no limit. @default 60 */
  apiJoinRatePerMinute: number;
  /** Encrypted overlay networks get a new key this often (tests set it short). @default 12 h */
  overlayKeyRotationMs: number;
  /**
   * Registries the manager asks over plain HTTP when it resolves image digests (loopback ones
   * always); the agents' --insecure-registry lists are their own. @default []
   */
  insecureRegistries: string[];
}

/** What the command line may set: the settings, and which config file to read them from. */
export type ManagerFlagSettings = ManagerSettings & { configFile: string };

export const defaultManagerConfigFile = '/etc/flotilla/manager.json';

export interface ManagerConfig extends ManagerSettings {
  kekFile: string;
  certDir: string;
  socketPath: string;
  /** host:port agents dial (advertise address + gRPC port). */
  grpcAddr: string;
  /** host:port the CLI dials (advertise address + API port). */
  apiAddr: string;
  /** The pools --init stores, when the flags give them (checked: INVALID_FLAG_VALUE). */
  addressPool?: AddressPoolSetting;
}

const defaults: ManagerSettings = {
  dataRoot: join(defaultDataRoot, 'manager'),
  execRoot: defaultExecRoot,
  etcd: [],
  etcdCacert: '',
  etcdCert: '',
  etcdKey: '',
  listenGrpc: `0.0.0.0:${defaultManagerGrpcPort}`,
  listenApi: '',
  advertiseAddr: '',
  init: false,
  forceNewCluster: false,
  join: '',
  token: '',
  tokenFile: '',
  clusterName: 'default',
  socket: true,
  metricsAddr: '',
  // A list, so FLOTILLA_DEFAULT_ADDR_POOL is read comma separated.
  defaultAddrPool: [],
  defaultAddrPoolMaskLength: 0,
  overlayKeyRotationMs: 12 * 3600_000,
  insecureRegistries: [],
  ...apiLimitSettings(defaultApiLimits),
};

/** The API limits in the settings' names (FLOTILLA_API_REQUEST_TIMEOUT_MS and so on). */
function apiLimitSettings(l: ApiLimits) {
  return {
    apiRequestTimeoutMs: l.requestTimeoutMs,
    apiMaxConnections: l.maxConnections,
    apiJoinBurst: l.joinBurst,
    apiJoinRatePerMinute: l.joinRatePerMinute,
  };
}

/** The settings' API limits, checked (INVALID_FLAG_VALUE names the variable of a bad one). */
export function apiLimitsOf(s: ManagerSettings): ApiLimits {
  return apiLimits({
    requestTimeoutMs: s.apiRequestTimeoutMs,
    maxConnections: s.apiMaxConnections,
    joinBurst: s.apiJoinBurst,
    joinRatePerMinute: s.apiJoinRatePerMinute,
  });
}

export function managerConfig(flags: Partial<ManagerFlagSettings>): ManagerConfig {
  // FLOTILLA_MANAGER_CONFIG_FILE, not the agent's FLOTILLA_CONFIG_FILE: both may run on one machine.
  const file = readSettingsFile(
    flags.configFile ?? process.env.FLOTILLA_MANAGER_CONFIG_FILE ?? defaultManagerConfigFile,
    defaults,
    // Creating a cluster is an act, not a standing setting: a restart must not try it again.
    { flagOnly: ['init', 'forceNewCluster'] },
  );
  const { configFile: _, ...given } = flags;
  const s = resolveSettings(defaults, given, file);
  const addressPool = addressPoolFromFlags({
    pools: s.defaultAddrPool,
    maskLength: s.defaultAddrPoolMaskLength,
    init: s.init,
  });
  // Checked here, so that a bad FLOTILLA_API_* value stops the manager before it starts anything.
  apiLimitsOf(s);
  const [grpcHost, grpcPort] = hostPort(s.listenGrpc);
  const listenApi = s.listenApi || joinHostPort(grpcHost, grpcPort + 1);
  const advertise =
    s.advertiseAddr || (isWildcard(grpcHost) ? (firstExternalIPv4() ?? '127.0.0.1') : grpcHost);
  return {
    ...s,
    token: resolveJoinToken(s),
    etcd: s.etcd.flatMap((e) => e.split(',')).filter(Boolean),
    listenApi,
    advertiseAddr: advertise,
    kekFile: join(s.dataRoot, 'ca.key-encryption-key'),
    certDir: join(s.dataRoot, 'certificates'),
    socketPath: join(s.execRoot, 'manager.sock'),
    grpcAddr: joinHostPort(advertise, grpcPort),
    apiAddr: joinHostPort(advertise, hostPort(listenApi)[1]),
    ...(addressPool ? { addressPool } : {}),
  };
}

/** The API address that goes with a gRPC address: same host, port + 1 (docs/design/manager.md). */
export function apiAddrForGrpc(grpcAddr: string): string {
  const [h, p] = hostPort(grpcAddr);
  return joinHostPort(h, p + 1);
}

/** host:port of a manager's gRPC endpoint; the port defaults to 4242. */
export function hostPort(addr: string): [string, number] {
  return splitHostPort(addr, { defaultPort: defaultManagerGrpcPort });
}

function isWildcard(h: string): boolean {
  return h === '' || h === '0.0.0.0' || h === '::';
}

function firstExternalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}
