// `--with-registry-auth` on service create/update and stack deploy: the user's `flotilla login`
// credentials for the registries of the services' images, sent to the manager with the request
// (the manager seals them and sends them only to the nodes that pull those images).
import { CredentialStore } from './credentials.js';
import { registryOfImage } from './auth.js';

export interface RegistryAuthEntry {
  registry: string;
  username: string;
  password: string;
}

/** One entry per registry that has stored credentials; `onMissing` names the others. */
export async function registryAuthFor(
  images: readonly string[],
  onMissing: (registry: string) => void,
): Promise<RegistryAuthEntry[]> {
  const store = new CredentialStore();
  const out: RegistryAuthEntry[] = [];
  for (const registry of new Set(images.map(registryOfImage))) {
    const creds = await store.get(registry);
    if (creds) out.push({ registry, ...creds });
    else onMissing(registry);
  }
  return out;
}

/** The warning for a registry the user has not logged in to. */
export function notLoggedIn(registry: string): string {
  return `WARNING: --with-registry-auth: not logged in to ${registry} (flotilla login ${registry}); its images are pulled without credentials\n`;
}
