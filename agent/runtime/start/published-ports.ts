// The host ports a container asks for at start: its -p bindings, and with -P one random host port
// for every exposed port (image EXPOSE, --expose) that -p did not already bind, as Docker does.
import type { ContainerCreateOptions, PortBinding } from '../../../shared/engine/index.js';

export function portsToPublish(
  options: Pick<ContainerCreateOptions, 'ports' | 'publishAll'>,
  exposedPorts: Record<string, object> | undefined,
): PortBinding[] {
  const explicit = options.ports ?? [];
  if (!options.publishAll) return explicit;
  const bound = new Set(explicit.map((p) => `${p.containerPort}/${p.protocol}`));
  const random: PortBinding[] = [];
  for (const key of Object.keys(exposedPorts ?? {}).sort(byPort)) {
    const [port, proto = 'tcp'] = key.split('/');
    const protocol = proto.toLowerCase();
    if (bound.has(`${Number(port)}/${protocol}`)) continue;
    if (protocol !== 'tcp' && protocol !== 'udp') continue; // sctp: not published (no support)
    random.push({ hostIp: '', hostPort: 0, containerPort: Number(port), protocol });
  }
  return [...explicit, ...random];
}

const byPort = (a: string, b: string) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b);
