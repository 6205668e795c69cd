// Where a registry lives: the API host for a reference domain, and whether to speak plain HTTP.
// Docker's rule, narrowed: loopback registries and the operator's --insecure-registry list are
// "insecure"; everything else is HTTPS with verified certificates and is never downgraded.
import { isIP } from 'node:net';
import { splitHostPort } from '../../../shared/net/host-port.js';

/** Docker Hub's reference domain and the host that actually serves its API. */
const apiHosts: Record<string, string> = { 'docker.io': 'registry-1.docker.io' };

function hostOf(domain: string): string {
  return splitHostPort(domain, { defaultPort: 0 })[0];
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(domain: string): boolean {
  const host = hostOf(domain).toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

export function apiHost(domain: string): string {
  return apiHosts[domain] ?? domain;
}

/** Matches a domain against the insecure list, with or without its port. */
export function isListedInsecure(domain: string, insecureRegistries: string[]): boolean {
  const host = hostOf(domain);
  return insecureRegistries.some((entry) => {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    return e === domain || e === apiHost(domain) || e === host;
  });
}
