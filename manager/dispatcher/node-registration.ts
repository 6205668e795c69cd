// Who an agent session is (from its verified client certificate), and the Node write that opens
// it: description, status ready, and a subnet chosen and claimed for the node.
import type * as grpc from '@grpc/grpc-js';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Node, NodeDescription } from '../../shared/model/index.js';
import type { ObjectStore } from '../store/index.js';
import { chooseSubnet, defaultAddressPool, type AddressPool } from './subnets.js';

export type AgentIdentity = { nodeId: string; role: string };

/**
 * The node id and role of a session's client certificate (`identify`, else CN and OU).
 * @throws SESSION_UNAUTHENTICATED for no certificate, no node, a role that runs no tasks, or a
 * revoked node.
 */
export function identifyAgent(
  call: Pick<grpc.ServerDuplexStream<unknown, unknown>, 'getAuthContext'>,
  identify?: (certDer: Buffer) => AgentIdentity,
  isRevoked?: (nodeId: string) => boolean,
): AgentIdentity {
  const cert = call.getAuthContext()?.sslPeerCertificate;
  if (!cert || !cert.raw)
    throw new FlotillaError('SESSION_UNAUTHENTICATED', { reason: 'no client certificate' });
  const who = identify
    ? identify(cert.raw)
    : { nodeId: String(cert.subject?.CN ?? ''), role: String(cert.subject?.OU ?? 'worker') };
  if (!who.nodeId)
    throw new FlotillaError('SESSION_UNAUTHENTICATED', { reason: 'certificate names no node' });
  if (who.role !== 'worker' && who.role !== 'manager')
    throw new FlotillaError('SESSION_UNAUTHENTICATED', {
      reason: `role ${who.role} cannot run tasks`,
    });
  if (isRevoked?.(who.nodeId))
    throw new FlotillaError('SESSION_UNAUTHENTICATED', {
      reason: `node ${who.nodeId} was removed from the cluster`,
    });
  return who;
}

export class NodeRegistration {
  /** Serialises subnet choices of this manager's concurrent session opens. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      store: ObjectStore;
      /** Cluster setting: where node subnets come from. @default 10.240.0.0/16 in /24s */
      addressPool?: () => AddressPool | undefined;
    },
  ) {}

  /**
   * Creates or updates the node's Node (ready at `iso`) with a subnet: its own, else `requested`
   * when free, else a free one. Returns the subnet.
   * @throws NODE_SUBNET_POOL_EXHAUSTED when the address pool has no free subnet.
   */
  register(
    nodeId: string,
    role: string,
    description: NodeDescription,
    requested: string | undefined,
    iso: string,
  ): Promise<string> {
    const { store } = this.deps;
    const write = () =>
      store.update((tx) => {
        const existing = tx.get('node', nodeId);
        // Chosen from the cache and claimed by the Node write (/names/subnets/<cidr>): a subnet
        // another manager claimed meanwhile fails the commit, which runs this again on fresh
        // state, then among the first few free subnets so the two stop picking the same one.
        // Only this node's keys are compared, however many nodes there are.
        const pool = this.deps.addressPool?.() ?? defaultAddressPool;
        const subnet = chooseSubnet({
          pool,
          current: existing?.subnet,
          requested,
          taken: takenSubnets(store, nodeId),
          spread: tx.attempt > 1 ? 8 : 1,
        });
        if (!subnet)
          throw new FlotillaError('NODE_SUBNET_POOL_EXHAUSTED', {
            nodeId,
            prefix: pool.subnetPrefixLength,
            pools: pool.cidrs.join(', '),
          });
        const node: Node = existing
          ? { ...existing, description, updatedAt: iso }
          : {
              id: nodeId,
              version: 1,
              createdAt: iso,
              updatedAt: iso,
              description,
              spec: {
                role: role === 'manager' ? 'manager' : 'worker',
                availability: 'active',
                labels: {},
              },
              status: { state: 'ready', message: '' },
            };
        node.status = { state: 'ready', message: '', lastHeartbeat: iso };
        node.subnet = subnet;
        if (existing) tx.update('node', node);
        else tx.create('node', node);
        return subnet;
      });
    const run = this.queue.then(write, write);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Subnets other nodes hold: claims, and the subnets nodes recorded before claims existed (their
 * claim is written with their next write).
 */
function takenSubnets(store: ObjectStore, nodeId: string): Set<string> {
  const taken = new Set<string>();
  for (const [subnet, owner] of store.claims('subnets')) if (owner !== nodeId) taken.add(subnet);
  for (const n of store.list('node')) if (n.id !== nodeId && n.subnet) taken.add(n.subnet);
  return taken;
}
