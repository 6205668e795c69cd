// AttachNetwork / DetachNetwork: the unary calls beside Session by which an agent attaches a
// standalone container to an attachable overlay. Authenticated as the session is (the node id is
// the client certificate's); errors travel as on Session (gRPC status + `flotilla-error` trailer).
import type * as grpc from '@grpc/grpc-js';
import type {
  AttachNetworkRequest__Output,
  AttachNetworkResponse,
  DetachNetworkRequest__Output,
  DetachNetworkResponse,
} from '../../proto/index.js';
import { toFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { attachContainer, detachContainer } from '../networks/index.js';
import type { ObjectStore } from '../store/index.js';
import { toServiceError } from './grpc-status.js';
import { identifyAgent, type AgentIdentity } from './node-registration.js';

export interface NetworkAttachmentDeps {
  store: ObjectStore;
  log: Logger;
  clock: { now(): number };
  identify?: (certDer: Buffer) => AgentIdentity;
  isRevoked?: (nodeId: string) => boolean;
}

type Unary<Req, Res> = (
  call: grpc.ServerUnaryCall<Req, Res>,
  callback: grpc.sendUnaryData<Res>,
) => void;

/** The two handlers, ready for `server.addService`. */
export function networkAttachmentHandlers(deps: NetworkAttachmentDeps): {
  AttachNetwork: Unary<AttachNetworkRequest__Output, AttachNetworkResponse>;
  DetachNetwork: Unary<DetachNetworkRequest__Output, DetachNetworkResponse>;
} {
  const log = deps.log.child({ component: 'network-attachments' });
  /** Runs `fn` as the calling node; any failure answers its status (never a stack trace). */
  function serve<Req, Res>(
    what: string,
    fn: (nodeId: string, req: Req) => Promise<Res>,
  ): Unary<Req, Res> {
    return (call, callback) => {
      let nodeId = '';
      Promise.resolve()
        .then(() => {
          nodeId = identifyAgent(call, deps.identify, deps.isRevoked).nodeId;
          return fn(nodeId, call.request);
        })
        .then(
          (res) => callback(null, res),
          (err: unknown) => {
            const e = toFlotillaError(err);
            log.info({ nodeId, err: e }, `${what} refused`);
            callback(toServiceError(e));
          },
        );
    };
  }
  return {
    AttachNetwork: serve('network attach', async (nodeId, req: AttachNetworkRequest__Output) => {
      const now = new Date(deps.clock.now()).toISOString();
      const r = await attachContainer(
        deps.store,
        nodeId,
        {
          target: req.target,
          containerId: req.containerId,
          containerName: req.containerName,
          aliases: req.aliases,
        },
        now,
      );
      log.info(
        { nodeId, network: r.network.name, address: r.network.address, id: r.attachment.id },
        'container attached to network',
      );
      return { attachmentId: r.attachment.id, networkJson: JSON.stringify(r.network) };
    }),
    DetachNetwork: serve('network detach', async (nodeId, req: DetachNetworkRequest__Output) => {
      await detachContainer(deps.store, nodeId, req.attachmentId);
      log.info({ nodeId, id: req.attachmentId }, 'container detached from network');
      return {};
    }),
  };
}
