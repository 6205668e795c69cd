// What a failed etcd call means to a user: no quorum (the members that answer are too few to
// elect a leader or commit: etcd says "no leader", "request timed out", a deadline passes), or
// the store is unreachable altogether. etcd reports the first only in its message text.
import * as etcd3 from 'etcd3';
import { FlotillaError } from '../../shared/errors/index.js';

const noQuorum =
  /no leader|request timed out|leader changed|timed out due to previous|too many requests/i;

/**
 * Whether ERR is an error of the etcd3 client: a gRPC status, an etcd error, or its circuit
 * breaker refusing a call to members that failed just before (cockatiel's BrokenCircuitError).
 */
export function isEtcdError(err: unknown): boolean {
  return (
    err instanceof etcd3.GRPCGenericError ||
    err instanceof etcd3.EtcdError ||
    (err instanceof Error && 'isBrokenCircuitError' in err)
  );
}

export function etcdFailure(err: unknown, endpoints: string): FlotillaError {
  if (err instanceof FlotillaError) return err;
  const reason = (err as Error)?.message ?? String(err);
  if (err instanceof etcd3.GRPCDeadlineExceededError || noQuorum.test(reason))
    return new FlotillaError('NO_QUORUM', { reason }, { cause: err });
  return new FlotillaError('STORE_UNAVAILABLE', { endpoints, reason }, { cause: err });
}
