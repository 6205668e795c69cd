// Container logs from any node, whichever manager holds its session. An agent streams logs only
// over its own session, so a manager asked for the logs of a node connected elsewhere (several
// managers; agents spread over them after a failover) forwards the request to the manager that
// holds the session (named by the heartbeat records in etcd; the others are tried after it), over
// the API with its own manager certificate: GET /nodes/:id/containers/:cid/logs?local=true on that
// manager answers from its own dispatcher only, so a request is forwarded at most once.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { FlotillaError } from '../../shared/errors/index.js';
import { splitHostPort } from '../../shared/net/host-port.js';
import type { TlsCredentials } from '../ca/index.js';
import type { NodeLogSource } from './context.js';

type Lines = { stream: 'stdout' | 'stderr'; time: string; text: string }[];
type LogOptions = Parameters<NodeLogSource['containerLogs']>[2];

export interface ForwardedLogsDeps {
  /** This manager's dispatcher. */
  local: NodeLogSource & { hasSession(nodeId: string): boolean };
  /** Which other manager holds a node's session (HeartbeatExchange.sessionHolder). */
  holderOf: (nodeId: string) => string | undefined;
  /** The managers alive now (LeaderElection.managers). */
  managers: () => Promise<{ managerId: string; apiAddr: string }[]>;
  /** This manager's identity: a client certificate the other managers' APIs accept. */
  tls: TlsCredentials;
  selfId: string;
}

export class ForwardedLogs implements NodeLogSource {
  constructor(private readonly deps: ForwardedLogsDeps) {}

  /** Whether this manager itself holds NODE's session. */
  hasSession(nodeId: string): boolean {
    return this.deps.local.hasSession(nodeId);
  }

  containerLogs(nodeId: string, containerId: string, opts: LogOptions): AsyncIterable<Lines> {
    if (opts.localOnly || this.deps.local.hasSession(nodeId))
      return this.deps.local.containerLogs(nodeId, containerId, opts);
    return this.forward(nodeId, containerId, opts);
  }

  /**
   * Asks the manager the heartbeat records name first, then the others: the records lag a session
   * that has just opened (they are exchanged every half heartbeat period). A manager without the
   * session answers with an error before any line, and the next one is tried.
   */
  private async *forward(nodeId: string, containerId: string, opts: LogOptions) {
    const holder = this.deps.holderOf(nodeId);
    const others = (await this.deps.managers()).filter((m) => m.managerId !== this.deps.selfId);
    others.sort((a, b) => Number(b.managerId === holder) - Number(a.managerId === holder));
    const reasons: string[] = [];
    for (const peer of others) {
      let yielded = false;
      try {
        for await (const lines of this.fetch(peer, nodeId, containerId, opts)) {
          yielded = true;
          yield lines;
        }
        return;
      } catch (err) {
        if (yielded || opts.signal?.aborted) throw err;
        reasons.push((err as Error).message);
      }
    }
    throw new FlotillaError('NODE_LOGS_UNAVAILABLE', {
      nodeId,
      reason:
        reasons.length > 0
          ? `no manager holds a session with it (${reasons.join('; ')})`
          : 'no manager holds a session with it',
    });
  }

  /** One manager's answer for the container, from its own sessions only. */
  private async *fetch(
    peer: { managerId: string; apiAddr: string },
    nodeId: string,
    containerId: string,
    opts: LogOptions,
  ): AsyncIterable<Lines> {
    const fail = (reason: string) => new Error(`manager ${peer.managerId}: ${reason}`);
    const q = new URLSearchParams({ local: 'true' });
    if (opts.tail !== undefined) q.set('tail', String(opts.tail));
    if (opts.follow) q.set('follow', 'true');
    if (opts.since !== undefined) q.set('since', String(opts.since));
    const path = `/nodes/${encodeURIComponent(nodeId)}/containers/${encodeURIComponent(containerId)}/logs?${q}`;
    const [host, port] = splitHostPort(peer.apiAddr);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path,
          key: this.deps.tls.keyPem,
          cert: this.deps.tls.certPem,
          ca: this.deps.tls.caCertPem,
          signal: opts.signal,
        },
        resolve,
      );
      req.on('error', (err) => reject(fail(err.message)));
      req.end();
    });
    const rl = createInterface({ input: res, crlfDelay: Infinity });
    if (res.statusCode !== 200) {
      let body = '';
      for await (const l of rl) body += l;
      const parsed = safeJson(body) as { message?: string } | undefined;
      throw fail(`answered ${res.statusCode}: ${parsed?.message ?? body}`);
    }
    for await (const line of rl) {
      if (!line.trim()) continue;
      const msg = safeJson(line) as { lines?: Lines; error?: { message?: string } } | undefined;
      if (msg?.error) throw fail(msg.error.message ?? 'error');
      if (msg?.lines) yield msg.lines;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
