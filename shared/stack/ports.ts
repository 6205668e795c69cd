// Short port syntax as docker parses it (nat.ParsePortSpecs + ConvertPortToPortConfig):
// "[ip:][published[-end]:]target[-end][/protocol]". Ranges expand to one entry per port; a host
// IP is dropped with a warning (Swarm publishes on every address), as docker does.

export interface ComposePort {
  mode?: string;
  target?: number;
  published?: number;
  protocol?: string;
}

function parseRange(text: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new Error(`invalid port "${text}"`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535)
    throw new Error(`port ${hi > 65535 ? hi : lo} is out of range 0-65535`);
  if (hi < lo) throw new Error(`invalid port range "${text}"`);
  return [lo, hi];
}

export function parsePortSpec(spec: string, warnings: string[]): ComposePort[] {
  let rest = spec;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid protocol "${proto}"`);
  }
  let ip = '';
  let hostPart = '';
  let targetPart: string;
  // The IP may be an IPv6 literal in brackets; split from the right.
  const lastColon = rest.lastIndexOf(':');
  if (lastColon < 0) targetPart = rest;
  else {
    targetPart = rest.slice(lastColon + 1);
    const before = rest.slice(0, lastColon);
    const c2 = before.lastIndexOf(':');
    if (c2 < 0) hostPart = before;
    else {
      hostPart = before.slice(c2 + 1);
      ip = before.slice(0, c2).replace(/^\[|\]$/g, '');
    }
  }
  if (targetPart === '') throw new Error(`no port specified in "${spec}"`);
  const [tLo, tHi] = parseRange(targetPart);
  let hLo = 0;
  let hHi = 0;
  if (hostPart !== '') [hLo, hHi] = parseRange(hostPart);
  const count = tHi - tLo + 1;
  if (hostPart !== '' && hHi - hLo + 1 !== count && !(count === 1)) {
    throw new Error(`invalid ranges specified for container and host ports: "${spec}"`);
  }
  const entries: { key: string; port: ComposePort }[] = [];
  for (let i = 0; i < count; i++) {
    const target = tLo + i;
    let published = 0;
    if (hostPart !== '') published = count === 1 && hHi !== hLo ? hLo : hLo + i;
    if (ip !== '') {
      warnings.push(
        `ignoring IP-address (${ip}:${published || ''}:${target}/${proto}) service will listen on '0.0.0.0'`,
      );
    }
    const port: ComposePort = { mode: 'ingress', target };
    if (published) port.published = published;
    port.protocol = proto;
    entries.push({ key: `${target}/${proto}`, port });
  }
  // docker sorts the container ports as strings ("3001/tcp" < "301/tcp").
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return entries.map((e) => e.port);
}
