// The flags of `flotilla manager`, each bound to the manager setting it sets (manager/config.ts).
import type { ManagerFlagSettings } from '../../../manager/index.js';
import type { FlagBinding } from './flag-table.js';

export const managerFlags: readonly FlagBinding<ManagerFlagSettings>[] = [
  {
    flag: '--config-file <file>',
    description: 'JSON config file (default /etc/flotilla/manager.json; flags override it)',
    setting: 'configFile',
    type: 'string',
  },
  {
    flag: '--data-root <dir>',
    description: 'root of manager state (default /var/lib/flotilla/manager)',
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
    flag: '--etcd <urls>',
    description: 'etcd client URLs, comma separated (default: embedded etcd)',
    setting: 'etcd',
    type: 'list',
  },
  {
    flag: '--etcd-cacert <file>',
    description: 'CA certificate of the etcd server',
    setting: 'etcdCacert',
    type: 'string',
  },
  {
    flag: '--etcd-cert <file>',
    description: 'client certificate for etcd',
    setting: 'etcdCert',
    type: 'string',
  },
  {
    flag: '--etcd-key <file>',
    description: 'client key for etcd',
    setting: 'etcdKey',
    type: 'string',
  },
  {
    flag: '--listen-api <addr>',
    description: 'HTTPS API address (default: gRPC host, port + 1 = 4243)',
    setting: 'listenApi',
    type: 'string',
  },
  {
    flag: '--listen-grpc <addr>',
    description: 'agent gRPC address (default 0.0.0.0:4242)',
    setting: 'listenGrpc',
    type: 'string',
  },
  {
    flag: '--advertise-addr <ip>',
    description: 'address agents and managers reach this manager at',
    setting: 'advertiseAddr',
    type: 'string',
  },
  {
    flag: '--init',
    description: 'create a new cluster in an empty store',
    setting: 'init',
    type: 'boolean',
  },
  {
    flag: '--force-new-cluster',
    description:
      'start the embedded etcd as the only member of a new cluster, from this data (recovery)',
    setting: 'forceNewCluster',
    type: 'boolean',
  },
  {
    flag: '--cluster-name <name>',
    description: 'name of the cluster created by --init',
    setting: 'clusterName',
    type: 'string',
  },
  {
    flag: '--default-addr-pool <cidr>',
    description:
      'with --init: address pool node subnets come from (repeatable: the pools are used ' +
      'in order, the next once the one before is full; default 10.240.0.0/16)',
    setting: 'defaultAddrPool',
    type: 'list',
  },
  {
    flag: '--default-addr-pool-mask-length <n>',
    description: 'with --init: prefix length of each node subnet, in every pool (default 24)',
    setting: 'defaultAddrPoolMaskLength',
    type: 'integer',
  },
  {
    flag: '--join <addr>',
    description: 'join the cluster of the manager at ADDR:4242',
    setting: 'join',
    type: 'string',
  },
  {
    flag: '--token <token>',
    description: 'manager join token (`flotilla cluster join-token manager`)',
    setting: 'token',
    type: 'string',
  },
  {
    flag: '--token-file <file>',
    description: 'file (0600) holding the manager join token',
    setting: 'tokenFile',
    type: 'string',
  },
  {
    flag: '--no-socket',
    description: 'do not serve the API on <exec-root>/manager.sock',
    setting: 'socket',
    type: 'boolean',
  },
  {
    // As the agent's: singular like docker's, repeatable. Used to resolve service image digests.
    flag: '--insecure-registry <host:port>',
    description: 'registry to ask over plain HTTP when pinning image digests (repeatable)',
    setting: 'insecureRegistries',
    type: 'list',
  },
  {
    flag: '--metrics-addr <addr>',
    description:
      'serve Prometheus metrics over plain HTTP at ADDR/metrics (loopback or a scrape network)',
    setting: 'metricsAddr',
    type: 'string',
  },
];
