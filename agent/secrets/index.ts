// Secrets and configs on the agent: held in memory as the manager sends them, written only into a
// tmpfs per task and bind-mounted read-only into its container (docs/design/secrets.md).
export { HeldSecrets } from './held-secrets.js';
export type { SecretData } from './held-secrets.js';
export { HeldPullAuth } from './pull-auth.js';
export { TaskFiles } from './task-files.js';
export type { TaskFileMount } from './task-files.js';
