// Who may use the manager API, decided on every request from the store, not only from the
// certificate: a revoked id (node rm, admin rm) is refused, a worker certificate is refused, and a
// manager certificate whose node has been demoted is refused from the moment the demotion is stored.
import type { TLSSocket } from 'node:tls';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Node } from '../../shared/model/index.js';
import { fromSubject, type Identity } from '../ca/index.js';

export interface ApiAuthDeps {
  /** The node record of an id, if that id is a node (manager processes need not be). */
  node(id: string): Node | undefined;
  isRevoked(id: string): boolean;
}

export type ApiAuthResult = { identity: Identity } | { error: FlotillaError };

/** The verdict for the client certificate of a TLS connection (verified against the cluster CA). */
export function authorizeApiPeer(socket: TLSSocket, d: ApiAuthDeps): ApiAuthResult {
  const peer = socket.getPeerCertificate?.();
  if (!peer || !peer.subject)
    return { error: new FlotillaError('CLIENT_CERT_REQUIRED', { reason: 'none sent' }) };
  if (!socket.authorized)
    return {
      error: new FlotillaError('CLIENT_CERT_REQUIRED', {
        reason: String(socket.authorizationError ?? 'not signed by the cluster CA'),
      }),
    };
  let identity: Identity;
  try {
    identity = fromSubject(str(peer.subject.CN), str(peer.subject.OU));
  } catch (e) {
    return { error: e as FlotillaError };
  }
  const error = authorizeIdentity(identity, d);
  return error ? { error } : { identity };
}

export function authorizeIdentity(id: Identity, d: ApiAuthDeps): FlotillaError | undefined {
  if (d.isRevoked(id.nodeId))
    return id.role === 'admin'
      ? new FlotillaError('ADMIN_REVOKED', { adminId: id.nodeId })
      : new FlotillaError('CERTIFICATE_REVOKED', { nodeId: id.nodeId });
  if (id.role === 'worker')
    return new FlotillaError('PERMISSION_DENIED', {
      detail: 'worker nodes cannot use the manager API',
    });
  if (id.role === 'manager') {
    // The certificate keeps OU=manager until it is renewed: the store's role decides.
    const n = d.node(id.nodeId);
    if (n && n.spec.role !== 'manager')
      return new FlotillaError('MANAGER_ROLE_REVOKED', { nodeId: id.nodeId });
  }
  return undefined;
}

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
