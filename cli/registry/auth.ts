// Which registry an image lives in, and the X-Registry-Auth header the CLI sends the agent for it
// from the user's credential store. Used by pull, push, run and search.
import { CredentialStore } from './credentials.js';

/** docker.io for Docker Hub in any spelling; otherwise the host[:port] of the server. */
export function registryKey(server: string): string {
  const s = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return s === '' || s === 'index.docker.io' || s === 'registry-1.docker.io' ? 'docker.io' : s;
}

/** The registry host of an image reference, as Docker splits it. */
export function registryOfImage(name: string): string {
  const slash = name.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = name.slice(0, slash);
  return first === 'localhost' || first.includes('.') || first.includes(':')
    ? registryKey(first)
    : 'docker.io';
}

/** The X-Registry-Auth header for a registry, or none when not logged in. */
export async function authHeader(registry: string): Promise<Record<string, string>> {
  const creds = await new CredentialStore().get(registryKey(registry));
  if (!creds) return {};
  const doc = { username: creds.username, password: creds.password };
  return { 'x-registry-auth': Buffer.from(JSON.stringify(doc)).toString('base64') };
}
