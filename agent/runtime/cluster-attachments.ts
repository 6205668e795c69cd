// How the runtime asks the manager for a standalone container's address on a cluster overlay
// (`run --network NAME`, NAME no network of this agent). The session is made after the runtime,
// so the runtime holds a link that the cluster membership connects once the agent is joined.
import type { TaskNetworkAttachment } from '../../shared/model/index.js';

export interface ClusterAttachments {
  /**
   * The container's attachment: its id and what to plug, exactly as a task's network entry.
   * @throws NETWORK_NOT_FOUND, NETWORK_ATTACH_REFUSED (not attachable), MANAGER_UNREACHABLE.
   */
  attach(req: {
    target: string;
    containerId: string;
    containerName: string;
    aliases: string[];
  }): Promise<{ id: string; network: TaskNetworkAttachment }>;
  /** Releases the attachment and its address (an attachment already gone is no error). */
  detach(id: string): Promise<void>;
}

/** The runtime's handle: empty on a standalone agent (never joined), connected by main.ts. */
export class ClusterAttachmentsLink {
  private target?: ClusterAttachments;

  connect(target: ClusterAttachments): void {
    this.target = target;
  }

  /** The manager's attachments, or undefined when this agent is in no cluster. */
  get current(): ClusterAttachments | undefined {
    return this.target;
  }
}
