// Registry credentials as the CLI stores them (the agent receives them per request).
export { CredentialStore, defaultCredentialsFile } from './store.js';
