// The CLI's side of registry access: the user's credential store and the header that carries a
// registry's credentials to the agent with each request.
export { CredentialStore, defaultCredentialsFile } from './credentials.js';
export { authHeader, registryKey, registryOfImage } from './auth.js';
export { notLoggedIn, registryAuthFor } from './service-auth.js';
export type { RegistryAuthEntry } from './service-auth.js';
