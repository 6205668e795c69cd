// A simulated agent: the real join, session client, executor and reporter, over a FakeEngine, so a
// test or benchmark can run many agents in one process against a real manager over gRPC mTLS.
import type * as grpc from '@grpc/grpc-js';
import { Executor, Reporter } from '../../../agent/executor/index.js';
import {
  CertificateRenewal,
  NodeNetworkSync,
  SessionClient,
  describeNode,
  joinCluster,
  type NodeIdentity,
} from '../../../agent/session/index.js';
import type { Logger } from '../../../shared/log/index.js';
import type { NodeDescription } from '../../../shared/model/index.js';
import { FakeEngine } from './fake-engine.js';

/** Records what the session asks of the network component (no kernel objects). */
export class FakeNodeNetwork {
  currentNodeSubnet: string;
  endpoints = 0;
  routes: { subnet: string; via: string }[] = [];
  constructor(subnet = '10.240.0.0/24') {
    this.currentNodeSubnet = subnet;
  }
  defaultEndpointCount(): number {
    return this.endpoints;
  }
  async setNodeSubnet(cidr: string): Promise<boolean> {
    if (this.endpoints > 0) return false;
    this.currentNodeSubnet = cidr;
    return true;
  }
  async setPeerRoutes(routes: { subnet: string; via: string }[]): Promise<void> {
    this.routes = routes;
  }
}

export interface SimAgent {
  identity: NodeIdentity;
  network: FakeNodeNetwork;
  engine: FakeEngine;
  executor: Executor;
  reporter: Reporter;
  session: SessionClient;
  /** Renews the node certificate over the session (in memory only). */
  renewal: CertificateRenewal;
  /** Ends the session and forgets tasks; containers (in the fake engine) stay, as on a real crash. */
  stop(): Promise<void>;
  /** A new session + executor over the same engine and identity (agent restart). */
  restart(): Promise<void>;
}

export async function startSimAgent(opts: {
  address: string;
  token: string;
  hostname: string;
  log: Logger;
  description?: Partial<NodeDescription>;
  identity?: NodeIdentity;
  channelOptions?: grpc.ChannelOptions;
  reporterFlushMs?: number;
  /** --node-subnet as given to a real agent. */
  nodeSubnet?: string;
  /** Containers get addresses (reported with their status, so ingress endpoint sets fill). */
  containerAddresses?: boolean;
}): Promise<SimAgent> {
  const network = new FakeNodeNetwork(opts.nodeSubnet);
  const identity =
    opts.identity ??
    (await joinCluster({ address: opts.address, token: opts.token, hostname: opts.hostname }));
  const engine = new FakeEngine({ addresses: opts.containerAddresses });
  const description = {
    ...describeNode({ hostname: opts.hostname, advertiseAddr: '127.0.0.1' }),
    ...opts.description,
  };
  const build = () => {
    const renewal = new CertificateRenewal({ identity, hostname: opts.hostname, log: opts.log });
    const reporter = new Reporter(opts.reporterFlushMs ?? 50);
    const executor = new Executor({
      engine,
      log: opts.log,
      report: reporter.report,
      nodeId: identity.nodeId,
    });
    const session = new SessionClient({
      identity,
      description: () => description,
      executor,
      reporter,
      log: opts.log,
      backoff: { initialMs: 100, maxMs: 1000 },
      channelOptions: opts.channelOptions,
      network: new NodeNetworkSync({ network, explicitSubnet: opts.nodeSubnet, log: opts.log }),
      logs: (id, o) => engine.logs(id, o),
      renewal,
    });
    return { reporter, executor, session, renewal };
  };
  const agent: SimAgent = {
    identity,
    network,
    engine,
    ...build(),
    async stop() {
      agent.renewal.stop();
      await agent.session.stop();
      await agent.executor.stop();
      agent.reporter.stop();
    },
    async restart() {
      Object.assign(agent, build());
      agent.renewal.start();
      await agent.session.start();
    },
  };
  agent.renewal.start();
  await agent.session.start();
  return agent;
}
