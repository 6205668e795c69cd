// The manager's etcd clients. etcd3 alone sends each call (and each watch or lease stream) to a
// member picked at random, and never pings: a member on a machine cut off from the network drops
// packets without a reset, so whatever landed there hung until TCP gave up (minutes). Here every
// call follows MemberChoice (own member first, failed ones last, removed ones dropped) and gRPC
// pings find a silent connection within seconds (docs/design/manager.md, "The etcd client").
import * as grpc from '@grpc/grpc-js';
import {
  Etcd3,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCUnavailableError,
  type IOptions,
} from 'etcd3';
import { MemberChoice } from './member-choice.js';
import { connectionSettled } from '../../shared/net/grpc-connection.js';

/**
 * Ping interval and answer timeout on connections to etcd, while a call or stream is open (etcd
 * counts a ping on an idle connection as abuse). A member refuses pings more often than its
 * --grpc-keepalive-min-time (etcd's default 5 s; the embedded etcd is started with
 * `embeddedKeepaliveMinTime`), so an external etcd gets the slower pace.
 */
export const etcdKeepalive = {
  embedded: { timeMs: 2_000, timeoutMs: 3_000 },
  external: { timeMs: 10_000, timeoutMs: 5_000 },
};
/** `--grpc-keepalive-min-time` of the embedded etcd: below the embedded client's ping interval. */
export const embeddedKeepaliveMinTime = '1s';

export interface StoreClientOptions {
  /** Client URLs of the members known at start. */
  hosts: string[];
  /** This manager's own (embedded) member, tried first; none on an external etcd. */
  own?: string;
  tls?: Partial<IOptions>;
  /**
   * One try per call, no retries: a call fails at once when its member does (the membership and
   * quorum looks). The member is put last all the same, so the next call goes to another.
   */
  direct?: boolean;
  clock?: { now(): number };
  /**
   * How long a connection to a member may take before the call goes to another: etcd3 has no
   * connect timeout (its dialTimeout is unused), and a dial to a cut-off machine waits for the
   * kernel to give up, a minute or more, with no ping to end it. @default 3000
   */
  connectTimeoutMs?: number;
}

export interface StoreClient {
  client: Etcd3;
  choice: MemberChoice;
  /** The members' client URLs now (own as `own`): drops removed members, adds new ones. */
  setMembers(hosts: string[]): void;
}

/**
 * A policy that runs the call once: the choice of member does what etcd3's breakers did. Async,
 * as cockatiel's: etcd3's markFailed (a stream's error handler) counts on a rejection, not a throw.
 */
const once = {
  execute: async <T>(fn: (ctx: { signal: AbortSignal }) => T | Promise<T>) =>
    fn({ signal: new AbortController().signal }),
} as unknown as NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

export function storeClient(o: StoreClientOptions): StoreClient {
  const k = o.own ? etcdKeepalive.embedded : etcdKeepalive.external;
  const grpcOptions = {
    'grpc.keepalive_time_ms': k.timeMs,
    'grpc.keepalive_timeout_ms': k.timeoutMs,
  };
  const client = new Etcd3({
    hosts: o.hosts,
    dialTimeout: 5000,
    ...o.tls,
    grpcOptions,
    // No circuit breakers: a member whose breaker opened was skipped for 5 s even when it was the
    // only one left (the store stopped); MemberChoice puts a failed member last instead.
    faultHandling: {
      host: () => once,
      ...(o.direct ? { global: once } : {}),
      watchBackoff: watchBackoff(),
    },
  });
  const choice = new MemberChoice({
    own: o.own,
    members: o.hosts,
    clock: o.clock ?? Date,
  });
  const pool = poolOf(client);
  const byUrl = new Map(pool.hosts.map((h, i) => [o.hosts[i], h]));
  const urlOf = new Map(pool.hosts.map((h, i) => [h, o.hosts[i]]));
  const Host = pool.hosts[0].constructor as HostConstructor;

  // Each call (and each retry of it) draws its member from here.
  // A member is looked up when it is drawn, not when the call began: one dropped in between (its
  // connections closed) is skipped, not handed to the call's retry ("client was already closed").
  pool.shuffledHosts = function* () {
    for (;;) {
      let drawn = false;
      for (const url of choice.order()) {
        const host = byUrl.get(url);
        if (!host) continue;
        drawn = true;
        yield host;
      }
      if (!drawn) return;
    }
  };
  const withConnection = pool.withConnection.bind(pool);
  pool.withConnection = (service, fn, gen) =>
    withConnection(
      service,
      async (conn) => {
        const url = urlOf.get(conn.resource);
        try {
          const timeoutMs = o.connectTimeoutMs ?? 3000;
          if (!(await connectionSettled(conn.client, timeoutMs)))
            throw new GRPCUnavailableError(`no connection to ${url ?? ''} within ${timeoutMs} ms`);
          const result = await fn(conn);
          // A watch or lease stream is open before the member has said anything.
          if (url && !isStream(result)) choice.answered(url);
          return result;
        } catch (err) {
          if (url && memberFailed(err)) choice.failed(url);
          if (etcdAnswered(err)) keepConnections(conn.resource);
          throw err;
        }
      },
      gen,
    );
  const markFailed = pool.markFailed.bind(pool);
  pool.markFailed = (resource, err) => {
    const url = urlOf.get(resource);
    if (url && memberFailed(err)) choice.failed(url);
    if (etcdAnswered(err)) keepConnections(resource);
    markFailed(resource, err);
  };

  const setMembers = (hosts: string[]) => {
    const { added, removed } = choice.update(hosts);
    for (const url of added) {
      const model = pool.hosts[0];
      const host = new Host(url, model.channelCredentials, grpcOptions, once);
      pool.hosts.push(host);
      byUrl.set(url, host);
      urlOf.set(host, url);
    }
    for (const url of removed) {
      const host = byUrl.get(url)!;
      pool.hosts.splice(pool.hosts.indexOf(host), 1);
      byUrl.delete(url);
      urlOf.delete(host);
      // Its streams fail, and come back on a member still in the cluster.
      host.close();
    }
  };
  return { client, choice, setMembers };
}

/**
 * A member's failure to answer (refused, dropped, silent): not the call's own fault, and not the
 * cluster's. etcd's own UNAVAILABLE answers (`etcdserver: no leader`, `leader changed`, `request
 * timed out`) come from a member that does answer: every member would say the same, and moving
 * off the own member for them sent calls to a member that might be cut off.
 */
function memberFailed(err: unknown): boolean {
  return (
    (err instanceof GRPCUnavailableError ||
      err instanceof GRPCDeadlineExceededError ||
      err instanceof GRPCInternalError) &&
    !/etcdserver:/.test(err.message)
  );
}

/** An answer of etcd itself (`etcdserver: leader changed`): its member is there and talking. */
function etcdAnswered(err: unknown): boolean {
  return err instanceof Error && /etcdserver:/.test(err.message);
}

/**
 * etcd3 closes every connection to a member after any UNAVAILABLE from it, own ones included: so
 * a `leader changed` answer to one call, at each election, cut the manager's watch and lease
 * streams on its own member. Skips that one reset (etcd3 calls it right after the error).
 */
function keepConnections(host: PoolHost): void {
  const reset = host.resetAllServices;
  host.resetAllServices = () => {
    host.resetAllServices = reset;
  };
  // etcd3 resets within the same turn (a few promise hops later); if it did not, the next may.
  setImmediate(() => (host.resetAllServices = reset));
}

type Backoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

/**
 * Waits between attempts to open the watch stream again: 100 ms doubling to at most 2 s. etcd3's
 * default grows to 30 s over a few failures (as when a member is cut off and an election follows)
 * and holds every watch, the store's included, that long.
 */
export function watchBackoff(durationMs = 50, maxMs = 2000): Backoff {
  const b = {
    duration: durationMs,
    next: () => watchBackoff(Math.min(durationMs * 2, maxMs), maxMs),
  };
  return b as unknown as Backoff;
}

function isStream(x: unknown): boolean {
  return typeof (x as { on?: unknown } | null)?.on === 'function';
}

interface Conn {
  resource: PoolHost;
  client: grpc.Client;
}
interface PoolHost {
  channelCredentials: unknown;
  close(): void;
  resetAllServices(): void;
}
type HostConstructor = new (
  url: string,
  credentials: unknown,
  options: object,
  policy: unknown,
) => PoolHost;
interface PoolInternals {
  hosts: PoolHost[];
  shuffledHosts(): Generator<PoolHost>;
  withConnection(service: string, fn: (c: Conn) => unknown, gen?: Generator<PoolHost>): unknown;
  markFailed(resource: PoolHost, err: unknown): void;
}

/**
 * etcd3's ConnectionPool (1.x): its hosts, the generator each call draws its hosts from, and the
 * two places that learn of a failure. Throws if they are gone, so that an etcd3 upgrade that
 * changes them fails here (and in the unit test) rather than silently.
 */
function poolOf(client: Etcd3): PoolInternals {
  const pool = (client as unknown as { pool?: Partial<PoolInternals> }).pool;
  if (
    !pool ||
    !Array.isArray(pool.hosts) ||
    typeof pool.shuffledHosts !== 'function' ||
    typeof pool.withConnection !== 'function' ||
    typeof pool.markFailed !== 'function'
  )
    throw new Error('etcd3 ConnectionPool is not the one this client knows: cannot order members');
  return pool as PoolInternals;
}
