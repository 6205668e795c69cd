// Certificates over agent sessions: signs the CSRs agents send when they renew (with the role the
// store gives the node now, so a demoted or promoted node gets its new role), records what each
// agent reports about its certificate in the node's description, and tells agents to renew at once
// when their role changed or the cluster CA is rotating, or to trust a new root bundle.
import { FlotillaError, toFlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { Node, NodeTlsInfo } from '../../shared/model/index.js';
import type { ObjectStore } from '../store/index.js';
import type { AgentSession } from './session.js';

/** What the dispatcher needs of the cluster CA (ClusterCa, wired in cluster-part.ts). */
export interface SessionCertificateAuthority {
  /** Signs `csrPem` for the node with `role`; answers the chain and the roots to trust. */
  issue(
    nodeId: string,
    role: 'worker' | 'manager',
    csrPem: string,
  ): Promise<{ certPem: string; caCertPem: string }>;
  /** sha256 of the signing root's public key, hex: a node certificate under it needs no renewal. */
  signingKeyDigest(): string;
  /** sha256 of each root to trust, hex, and the bundle's PEM. */
  trust(): { digests: string[]; pem: string };
  /** Called after each change of the cluster CA (rotation begun or finished). */
  onChange(listener: () => void): () => void;
}

interface Held {
  session: AgentSession;
  /** The role in the certificate the agent holds (the session's, then the last one issued). */
  certRole: string;
  tlsInfo?: NodeTlsInfo;
  /** Why a renewal was last asked for, so one reason is asked once. */
  asked?: string;
}

export class SessionCertificates {
  private readonly held = new Map<string, Held>();
  private off?: () => void;

  constructor(
    private readonly deps: { store: ObjectStore; ca: SessionCertificateAuthority; log: Logger },
  ) {}

  start(): void {
    this.off = this.deps.ca.onChange(() => {
      for (const nodeId of this.held.keys()) this.check(nodeId);
    });
  }

  stop(): void {
    this.off?.();
    this.held.clear();
  }

  /** A session was accepted: ask for a renewal or send trust at once if the agent needs them. */
  opened(session: AgentSession, certRole: string, tlsInfo: NodeTlsInfo | undefined): void {
    this.held.set(session.nodeId, { session, certRole, tlsInfo });
    this.check(session.nodeId);
  }

  closed(session: AgentSession): void {
    if (this.held.get(session.nodeId)?.session === session) this.held.delete(session.nodeId);
  }

  /** The node's spec may have changed (promote, demote). */
  nodeChanged(node: Node): void {
    if (this.held.has(node.id)) this.check(node.id);
  }

  /** An agent's renewal request: sign with the node's role in the store. */
  async renew(session: AgentSession, csrPem: string): Promise<void> {
    const { nodeId } = session;
    const node = this.deps.store.get('node', nodeId);
    const held = this.held.get(nodeId);
    const role = node?.spec.role ?? (held?.certRole === 'manager' ? 'manager' : 'worker');
    try {
      if (!node) throw new FlotillaError('NODE_NOT_FOUND', { id: nodeId });
      const issued = await this.deps.ca.issue(nodeId, role, csrPem);
      if (held) held.certRole = role;
      session.send({ certificate: { certPem: issued.certPem, caCertPem: issued.caCertPem } });
      session.log.info({ role }, 'node certificate renewed');
    } catch (err) {
      const e = toFlotillaError(err);
      session.log.warn({ err: e }, 'node certificate renewal refused');
      session.send({ certificate: { errorJson: JSON.stringify(e.toJSON()) } });
    }
  }

  /** The agent reports its certificate and trust bundle (on open and after changes). */
  async reported(nodeId: string, tlsInfo: NodeTlsInfo): Promise<void> {
    const held = this.held.get(nodeId);
    if (held) held.tlsInfo = tlsInfo;
    await this.deps.store.update((tx) => {
      const n = tx.get('node', nodeId);
      if (!n || JSON.stringify(n.description.tlsInfo) === JSON.stringify(tlsInfo)) return;
      n.description = { ...n.description, tlsInfo };
      tx.update('node', n);
    });
    if (held) this.check(nodeId);
  }

  /** Compares what the agent holds with what it should hold; asks once per reason. */
  private check(nodeId: string): void {
    const held = this.held.get(nodeId);
    if (!held) return;
    const node = this.deps.store.get('node', nodeId);
    const trust = this.deps.ca.trust();
    let reason: string | undefined;
    if (node && node.spec.role !== held.certRole)
      reason = `role changed from ${held.certRole} to ${node.spec.role}`;
    else if (held.tlsInfo && held.tlsInfo.issuerKeyDigest !== this.deps.ca.signingKeyDigest())
      reason = 'the cluster CA is rotating';
    if (reason) {
      if (held.asked === reason) return;
      held.asked = reason;
      held.session.log.info({ reason }, 'asking the agent to renew its certificate');
      held.session.send({ renewNow: { reason } });
      return;
    }
    // The reason asked for is gone (the agent renewed): a later one may be asked again.
    if (held.asked && held.asked !== trust.pem) held.asked = undefined;
    const t = held.tlsInfo?.trustDigests ?? [];
    if (held.tlsInfo && t.join() !== trust.digests.join() && held.asked !== trust.pem) {
      held.asked = trust.pem;
      held.session.send({ trust: { caCertPem: trust.pem } });
    }
  }
}
