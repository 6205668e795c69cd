// The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf, written by the agent into the
// container's own directory and bind-mounted (never written into a live rootfs).
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function isLoopback(ns: string): boolean {
  return ns.startsWith('127.') || ns === '::1';
}

export interface ResolverOptions {
  /** Search domains replacing the host's; ['.'] = none (Docker's --dns-search .). */
  search?: string[];
  /** resolv.conf options replacing the host's. */
  options?: string[];
}

/**
 * The host's resolv.conf minus loopback nameservers (Google's servers if none are left), or the
 * given servers; search domains and options replaced when given, as Docker does.
 */
export function resolvConfFrom(
  hostText: string,
  dns: string[] = [],
  o: ResolverOptions = {},
): string {
  const lines = hostText.split('\n');
  const kept = lines.filter((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l);
    return !m || (dns.length === 0 && !isLoopback(m[1]));
  });
  const servers = dns.length
    ? dns
    : kept.filter((l) => /^\s*nameserver\s/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
  let out = kept.filter((l) => !/^\s*nameserver\s/.test(l) && l.trim() !== '');
  if (o.search?.length) {
    out = out.filter((l) => !/^\s*(search|domain)\s/.test(l));
    const domains = o.search.filter((d) => d !== '.');
    if (domains.length) out.push(`search ${domains.join(' ')}`);
  }
  if (o.options?.length) {
    out = out.filter((l) => !/^\s*options\s/.test(l));
    out.push(`options ${o.options.join(' ')}`);
  }
  const ns = servers.length ? servers : ['8.8.8.8', '8.8.4.4'];
  return [...ns.map((s) => `nameserver ${s}`), ...out].join('\n') + '\n';
}

/** /etc/hosts; `extra` are `name:ip` entries (--add-host), written after the container's own. */
export function hostsFile(
  hostname: string,
  ip?: string,
  aliases: string[] = [],
  extra: string[] = [],
): string {
  const extraLines = extra.map((e) => {
    const i = e.indexOf(':');
    return `${e.slice(i + 1)}\t${e.slice(0, i)}`;
  });
  return (
    [
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'ff00::0\tip6-mcastprefix',
      'ff02::1\tip6-allnodes',
      'ff02::2\tip6-allrouters',
      `${ip ?? '127.0.1.1'}\t${[hostname, ...aliases].join(' ')}`,
      ...extraLines,
    ].join('\n') + '\n'
  );
}

export async function writeContainerFiles(
  dir: string,
  o: {
    hostname: string;
    ip?: string;
    aliases?: string[];
    dns?: string[];
    resolver?: ResolverOptions;
    /** `name:ip` with host-gateway already resolved. */
    extraHosts?: string[];
  },
): Promise<{ hosts: string; hostname: string; resolvConf: string }> {
  let hostResolv = '';
  try {
    hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
    if (
      /^\s*nameserver\s+127\.0\.0\.53\s*$/m.test(hostResolv) &&
      existsSync('/run/systemd/resolve/resolv.conf')
    )
      hostResolv = readFileSync('/run/systemd/resolve/resolv.conf', 'utf8');
  } catch {
    // No host resolv.conf: the defaults apply.
  }
  const files = {
    hosts: join(dir, 'hosts'),
    hostname: join(dir, 'hostname'),
    resolvConf: join(dir, 'resolv.conf'),
  };
  await writeFile(files.hosts, hostsFile(o.hostname, o.ip, o.aliases, o.extraHosts));
  await writeFile(files.hostname, `${o.hostname}\n`);
  await writeFile(files.resolvConf, resolvConfFrom(hostResolv, o.dns, o.resolver));
  return files;
}
