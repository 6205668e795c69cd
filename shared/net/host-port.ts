// host:port addresses as flags, contexts and the store write them: `10.0.0.1:4242`,
// `node-1:4243`, `[fd00::1]:4242` (IPv6 in brackets, as in URLs). The one parser of the code base.
import { isIP } from 'node:net';
import { FlotillaError } from '../errors/index.js';

export interface SplitHostPortOptions {
  /** The port when the address has none; without it, a missing port is an error. */
  defaultPort?: number;
  /** The host when the address has none (`:4243`); without it, the host is ''. */
  defaultHost?: string;
}

function invalid(addr: string, reason: string): FlotillaError {
  return new FlotillaError('INVALID_ARGUMENT', { detail: `address "${addr}": ${reason}` });
}

/**
 * Splits `host:port` into host (IPv6 without its brackets) and port. A bare IPv6 address
 * (`fd00::1`) is all host, no port: with IPv6, a port needs the brackets (`[fd00::1]:80`).
 * Throws INVALID_ARGUMENT naming the address.
 */
export function splitHostPort(addr: string, opts: SplitHostPortOptions = {}): [string, number] {
  let host: string;
  let portText: string | undefined;
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    if (end < 0) throw invalid(addr, 'missing "]" after the IPv6 address');
    host = addr.slice(1, end);
    const rest = addr.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':'))
      throw invalid(addr, 'expected ":PORT" after the bracketed address');
    if (isIP(host) !== 6) throw invalid(addr, `"${host}" is not an IPv6 address`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else if (addr.indexOf(':') !== addr.lastIndexOf(':')) {
    if (isIP(addr) !== 6) throw invalid(addr, 'an IPv6 address with a port needs brackets');
    host = addr;
  } else {
    const colon = addr.indexOf(':');
    host = colon < 0 ? addr : addr.slice(0, colon);
    portText = colon < 0 ? undefined : addr.slice(colon + 1);
  }
  if (host === '') host = opts.defaultHost ?? '';
  if (portText === undefined) {
    if (opts.defaultPort === undefined) throw invalid(addr, 'needs a port (HOST:PORT)');
    return [host, opts.defaultPort];
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
    throw invalid(addr, `bad port "${portText}" (0 to 65535)`);
  return [host, Number(portText)];
}

/** The inverse: `host:port`, with an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
