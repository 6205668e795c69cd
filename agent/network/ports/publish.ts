// Parses Docker's -p syntax into PortBindings, and -P into one random binding per exposed port.
// Checking that the ports are free is left to the port allocator at attach time.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { PortBinding } from '../types.js';
import { isIpv4 } from '../ipam/cidr.js';

function fail(value: string, reason: string): never {
  throw new FlotillaError('INVALID_PUBLISH', { value, reason });
}

function parseRange(spec: string, text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) fail(spec, `${what} "${text}" is not a port number or range`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  for (const p of [lo, hi]) if (p < 1 || p > 65535) fail(spec, `${what} ${p} is outside 1-65535`);
  if (hi < lo) fail(spec, `${what} range ${text} ends before it starts`);
  return [lo, hi];
}

/**
 * `[IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]` where ports may be ranges (`8000-8002:80-82`).
 * An empty or missing HOSTPORT means a random host port (hostPort 0) for each container port.
 * @throws INVALID_PUBLISH naming the value and what is wrong with it
 */
export function parsePublish(spec: string): PortBinding[] {
  let rest = spec.trim();
  if (!rest) fail(spec, 'empty');
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') fail(spec, `protocol "${proto}" is not tcp or udp`);
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  if (rest.startsWith('[')) fail(spec, 'IPv6 host addresses are not supported');
  const parts = rest.split(':');
  let hostIp = '';
  let hostText = '';
  let ctrText: string;
  if (parts.length === 1) ctrText = parts[0];
  else if (parts.length === 2) [hostText, ctrText] = parts;
  else if (parts.length === 3) [hostIp, hostText, ctrText] = parts;
  else fail(spec, 'too many ":" separators');
  if (hostIp && !isIpv4(hostIp)) fail(spec, `host address "${hostIp}" is not an IPv4 address`);
  if (hostIp === '0.0.0.0') hostIp = '';
  if (!ctrText) fail(spec, 'no container port');
  const [cLo, cHi] = parseRange(spec, ctrText, 'container port');
  const count = cHi - cLo + 1;
  let hLo = 0;
  if (hostText) {
    const [lo, hi] = parseRange(spec, hostText, 'host port');
    if (hi - lo + 1 !== count)
      fail(spec, `host range ${hostText} and container range ${ctrText} differ in length`);
    hLo = lo;
  }
  const out: PortBinding[] = [];
  for (let i = 0; i < count; i++)
    out.push({ hostIp, hostPort: hLo ? hLo + i : 0, containerPort: cLo + i, protocol });
  return out;
}

/** -P: every exposed port (`80/tcp`, `53/udp`, `8080`) gets a random host port on every address. */
export function publishAllPorts(exposed: Iterable<string>): PortBinding[] {
  const out: PortBinding[] = [];
  for (const key of exposed) {
    for (const b of parsePublish(key)) out.push({ ...b, hostIp: '', hostPort: 0 });
  }
  return out;
}

/** Docker's rendering of a binding: `0.0.0.0:8080->80/tcp`. */
export function formatBinding(b: PortBinding): string {
  return `${b.hostIp || '0.0.0.0'}:${b.hostPort}->${b.containerPort}/${b.protocol}`;
}
