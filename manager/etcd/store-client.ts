// The manager's etcd client. etcd3 sends every call (and every watch or lease stream) to a member
// picked at random; a member on a machine cut off from the network drops packets without a
// reset, so whatever landed there hung until TCP gave up (many minutes): a stuck node watcher,
// a frozen cache. So the embedded member (on loopback, never cut off from its own manager) comes
// first and the others serve only while it fails, and gRPC pings find a silent member in seconds.
import { Etcd3, type IOptions } from 'etcd3';

/**
 * Ping interval and answer timeout on connections to etcd. A member's server refuses pings more
 * often than its --grpc-keepalive-min-time (etcd's default 5 s; the embedded etcd is started
 * with `embeddedKeepaliveMinTime`), so an external etcd gets the slower pace.
 */
export const etcdKeepalive = {
  embedded: { timeMs: 2_000, timeoutMs: 3_000 },
  external: { timeMs: 10_000, timeoutMs: 5_000 },
};
/** `--grpc-keepalive-min-time` of the embedded etcd: below the embedded client's ping interval. */
export const embeddedKeepaliveMinTime = '1s';

export interface StoreClientOptions {
  /** Client URLs; with `ownFirst`, the first is this manager's own member. */
  hosts: string[];
  /** The embedded etcd: its own member first, and the faster pings it allows. */
  ownFirst: boolean;
  tls?: Partial<IOptions>;
}

export function storeClient(o: StoreClientOptions): Etcd3 {
  const k = o.ownFirst ? etcdKeepalive.embedded : etcdKeepalive.external;
  const client = new Etcd3({
    hosts: o.hosts,
    ...o.tls,
    // Pings only while a call or stream is open (etcd counts pings on an idle connection as abuse).
    grpcOptions: { 'grpc.keepalive_time_ms': k.timeMs, 'grpc.keepalive_timeout_ms': k.timeoutMs },
  });
  if (o.ownFirst) preferFirstHost(client);
  return client;
}

interface PoolInternals<H> {
  hosts: H[];
  shuffledHosts(): Generator<H>;
}

/**
 * Makes every call of CLIENT try its first host first, then the others in random order (etcd3's
 * own order for each retry of a call). Relies on etcd3's ConnectionPool (1.x): `pool.hosts` and
 * the `shuffledHosts()` generator each call draws its hosts from; throws if they are gone, so an
 * upgrade that changes them fails here (and in the unit test) rather than silently.
 */
export function preferFirstHost(client: Etcd3): void {
  const pool = (client as unknown as { pool?: Partial<PoolInternals<unknown>> }).pool;
  if (!pool || !Array.isArray(pool.hosts) || typeof pool.shuffledHosts !== 'function')
    throw new Error('etcd3 ConnectionPool has no hosts/shuffledHosts: cannot order its members');
  const [first, ...rest] = pool.hosts;
  pool.shuffledHosts = function* () {
    for (;;) {
      yield first;
      const others = [...rest];
      for (let i = others.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [others[i], others[j]] = [others[j], others[i]];
      }
      yield* others;
    }
  };
}
