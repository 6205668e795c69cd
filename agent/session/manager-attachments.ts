// The agent's side of AttachNetwork / DetachNetwork: unary calls to a manager over the node's
// mutual TLS (the same identity as the session), tried on each known manager in turn while one is
// unreachable. A manager's refusal comes back as the FlotillaError it sent.
import * as grpc from '@grpc/grpc-js';
import { loadDispatcherProto, type DispatcherClient } from '../../proto/index.js';
import { FlotillaError } from '../../shared/errors/index.js';
import type { TaskNetworkAttachment } from '../../shared/model/index.js';
import type { ClusterAttachments } from '../runtime/index.js';
import { fromGrpcError } from './client.js';
import type { NodeIdentity } from './identity.js';

/** Long enough for a manager's store transaction, short enough that `run` does not hang. */
const deadlineMs = 10_000;

export class ManagerAttachments implements ClusterAttachments {
  constructor(private readonly identity: NodeIdentity) {}

  async attach(req: {
    target: string;
    containerId: string;
    containerName: string;
    aliases: string[];
  }): Promise<{ id: string; network: TaskNetworkAttachment }> {
    try {
      const res = await this.call<{ attachmentId: string; networkJson: string }>(
        'AttachNetwork',
        req,
      );
      return {
        id: res.attachmentId,
        network: JSON.parse(res.networkJson) as TaskNetworkAttachment,
      };
    } catch (err) {
      // Docker's words for a network that is not attachable: the manager's status, as swarmkit's.
      if (err instanceof FlotillaError && err.code === 'NETWORK_NOT_ATTACHABLE')
        throw new FlotillaError('NETWORK_ATTACH_REFUSED', {
          name: req.target,
          reason: err.message,
        });
      throw err;
    }
  }

  async detach(id: string): Promise<void> {
    await this.call('DetachNetwork', { attachmentId: id });
  }

  /** One call on the first manager that answers (a refusal is an answer). */
  private async call<T>(method: 'AttachNetwork' | 'DetachNetwork', req: object): Promise<T> {
    const { identity } = this;
    let last: FlotillaError | undefined;
    for (const addr of identity.managers) {
      const client = this.client(addr);
      try {
        return await new Promise<T>((resolve, reject) => {
          const fn = client[method].bind(client) as (
            r: object,
            o: grpc.CallOptions,
            cb: (err: grpc.ServiceError | null, res?: T) => void,
          ) => void;
          fn(req, { deadline: Date.now() + deadlineMs }, (err, res) =>
            err ? reject(err) : resolve(res as T),
          );
        });
      } catch (err) {
        const e = err as grpc.ServiceError;
        last = fromGrpcError(e);
        if (e.code !== grpc.status.UNAVAILABLE && e.code !== grpc.status.DEADLINE_EXCEEDED)
          throw last;
      } finally {
        client.close();
      }
    }
    throw (
      last ?? new FlotillaError('MANAGER_UNREACHABLE', { address: '', reason: 'no manager known' })
    );
  }

  private client(addr: string): DispatcherClient {
    const proto = loadDispatcherProto();
    const { identity } = this;
    const creds = grpc.credentials.createSsl(
      Buffer.from(identity.caCertPem),
      Buffer.from(identity.keyPem),
      Buffer.from(identity.certPem),
    );
    return new proto.flotilla.v1.Dispatcher(addr, creds) as unknown as DispatcherClient;
  }
}
