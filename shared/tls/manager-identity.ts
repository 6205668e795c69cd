// What a joiner checks of the server it sends its token to: a manager's certificate of the cluster
// CA (OU=manager, CN = a manager id). The chain to the CA is node's to verify (the `ca` option,
// pinned to the CA whose digest is in the token); this only looks at the subject.
import type { PeerCertificate } from 'node:tls';
import { FlotillaError } from '../errors/index.js';

/** Node and manager ids (manager/store/ids.ts): 25 characters of base 36. */
const idPattern = /^[0-9a-z]{25}$/;

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Why `cert` is not a manager's certificate; undefined when it is one. */
export function notManagerReason(cert: PeerCertificate | undefined): string | undefined {
  if (!cert || !cert.subject) return 'it presented no certificate';
  const ou = first(cert.subject.OU);
  const cn = first(cert.subject.CN);
  if (ou !== 'manager') return `its certificate is for role "${ou || 'none'}", not manager`;
  if (!idPattern.test(cn)) return `its certificate names "${cn}", which is not a manager id`;
  return undefined;
}

/**
 * A `checkServerIdentity` for https/tls requests that must reach a manager: the usual host name
 * check (when `hostCheck` is given), then the role. The error it returns is the request's error.
 */
export function managerServerCheck(
  address: string,
  hostCheck?: (host: string, cert: PeerCertificate) => Error | undefined,
): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const reason = notManagerReason(cert);
    if (reason) return new FlotillaError('JOIN_SERVER_NOT_MANAGER', { address, reason });
    return hostCheck?.(host, cert);
  };
}
