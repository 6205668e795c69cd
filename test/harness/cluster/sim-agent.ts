// A simulated agent: the real join, session client, executor and reporter, over a FakeEngine, so a
// test or benchmark can run many agents in one process against a real manager over gRPC mTLS.
import type * as grpc from '@grpc/grpc-js';
import { Executor, Reporter } from '../../../agent/executor/index.js';
import {
  SessionClient,
  describeNode,
  joinCluster,
  type NodeIdentity,
} from '../../../agent/session/index.js';
import type { Logger } from '../../../shared/log/index.js';
import type { NodeDescription } from '../../../shared/model/index.js';
import { FakeEngine } from './fake-engine.js';

export interface SimAgent {
  identity: NodeIdentity;
  engine: FakeEngine;
  executor: Executor;
  reporter: Reporter;
  session: SessionClient;
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
}): Promise<SimAgent> {
  const identity =
    opts.identity ??
    (await joinCluster({ address: opts.address, token: opts.token, hostname: opts.hostname }));
  const engine = new FakeEngine();
  const description = {
    ...describeNode({ hostname: opts.hostname, advertiseAddr: '127.0.0.1' }),
    ...opts.description,
  };
  const build = () => {
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
    });
    return { reporter, executor, session };
  };
  const agent: SimAgent = {
    identity,
    engine,
    ...build(),
    async stop() {
      await agent.session.stop();
      await agent.executor.stop();
      agent.reporter.stop();
    },
    async restart() {
      Object.assign(agent, build());
      await agent.session.start();
    },
  };
  await agent.session.start();
  return agent;
}
