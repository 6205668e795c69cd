// Waits for a gRPC client's connection to settle, with a deadline: grpc-js keeps dialling a peer
// that does not answer (a machine cut off) for as long as the kernel lets it, with no error.
import { connectivityState } from '@grpc/grpc-js';

/** The part of a grpc-js channel this needs (etcd3 bundles its own grpc-js: same states). */
interface ChannelLike {
  getConnectivityState(tryToConnect: boolean): number;
  watchConnectivityState(state: number, deadline: number, cb: (err?: Error) => void): void;
}

/**
 * True once CLIENT's connection is made or has failed (a call then fails at once, with its own
 * error); false when it is still being made after TIMEOUTMS.
 */
export function connectionSettled(
  client: { getChannel(): ChannelLike },
  timeoutMs: number,
): Promise<boolean> {
  const channel = client.getChannel();
  const deadline = Date.now() + timeoutMs;
  const { READY, TRANSIENT_FAILURE, SHUTDOWN } = connectivityState;
  return new Promise((resolve) => {
    const look = () => {
      const state = channel.getConnectivityState(true);
      if (state === READY || state === TRANSIENT_FAILURE || state === SHUTDOWN)
        return resolve(true);
      channel.watchConnectivityState(state, deadline, (err) => (err ? resolve(false) : look()));
    };
    look();
  });
}
