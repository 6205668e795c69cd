// Standalone containers on attachable overlays (`flotilla run --network NAME` on a joined agent):
// the manager gives the container an address in the network and records it as an `attachment`
// in the transaction that claims the address, so a failover hands out nothing twice. The node is
// always the asking agent's (its certificate), never a field it sent.
import { FlotillaError } from '../../shared/errors/index.js';
import type { ContainerAttachment, TaskNetworkAttachment } from '../../shared/model/index.js';
import { newId, type ObjectStore } from '../store/index.js';
import { findNetwork, freeAddress } from './attach.js';
import { liveNetworks } from './usage.js';

export interface AttachRequest {
  /** The network's name, id or id prefix, as the user wrote it. */
  target: string;
  containerId: string;
  containerName: string;
  /** The container's own DNS names on the network besides its name (`--network-alias`). */
  aliases: string[];
}

export interface Attached {
  attachment: ContainerAttachment;
  /** What the agent plugs, exactly as a task's entry of `Task.networks`. */
  network: TaskNetworkAttachment;
}

/**
 * Attaches the node's container to the network, or answers the attachment it already has (an
 * agent that retries after a lost answer).
 * @throws NETWORK_NOT_FOUND, NETWORK_NOT_ATTACHABLE (not an attachable overlay: PERMISSION_DENIED),
 * ADDRESS_POOL_EXHAUSTED.
 */
export function attachContainer(
  store: ObjectStore,
  nodeId: string,
  req: AttachRequest,
  now: string,
): Promise<Attached> {
  return store.update((tx) => {
    const found = findNetwork(liveNetworks(store), req.target);
    // Read in the transaction: a network removed meanwhile fails this commit (compared).
    const network = found && tx.get('network', found.id);
    if (!network) throw new FlotillaError('NETWORK_NOT_FOUND', { name: req.target });
    if (!network.spec.attachable)
      throw new FlotillaError('NETWORK_NOT_ATTACHABLE', { name: req.target });
    const held = store
      .list('attachment')
      .find(
        (a) =>
          a.nodeId === nodeId && a.containerId === req.containerId && a.networkId === network.id,
      );
    const attachment: ContainerAttachment = held ?? {
      id: newId(),
      version: 1,
      createdAt: now,
      nodeId,
      networkId: network.id,
      address: freeAddress(tx, network),
      containerId: req.containerId,
      containerName: req.containerName,
      aliases: [...new Set(req.aliases)],
    };
    if (!held) tx.create('attachment', attachment);
    return {
      attachment,
      network: {
        networkId: network.id,
        name: network.spec.name,
        subnet: network.subnet,
        gateway: network.gateway,
        vni: network.vni,
        address: attachment.address,
        aliases: attachment.aliases,
        internal: network.spec.internal,
        encrypted: network.spec.encrypted,
      },
    };
  });
}

/**
 * Releases the attachment and its address. An attachment already gone is no error (the agent
 * retries after a lost answer); another node's is refused (NETWORK_ATTACHMENT_FOREIGN).
 */
export function detachContainer(store: ObjectStore, nodeId: string, id: string): Promise<void> {
  return store.update((tx) => {
    const a = tx.get('attachment', id);
    if (!a) return;
    if (a.nodeId !== nodeId) throw new FlotillaError('NETWORK_ATTACHMENT_FOREIGN', { id });
    tx.delete('attachment', id);
  });
}

/** The names of the containers attached to the network (`network rm` refuses while any is). */
export function attachedContainers(
  networkId: string,
  attachments: readonly ContainerAttachment[],
): string[] {
  return attachments
    .filter((a) => a.networkId === networkId)
    .map((a) => a.containerName)
    .sort();
}
