// Secrets and configs on the manager: the data key (sealed under the KEK), sealing, documents, and
// the references services hold. Delivery to agents is the dispatcher's (secret-delivery.ts).
export { openSecretData, sealSecretData } from './cipher.js';
export { SecretsKeyring } from './data-key.js';
export type { SecretsKeySource } from './data-key.js';
export {
  checkFileObjectInput,
  findFileObject,
  newConfig,
  newSecret,
  secretView,
} from './objects.js';
export type { FileObjectInput } from './objects.js';
export { referencedIds, resolveFileReferences, servicesUsing } from './references.js';
export type { FileKind } from './references.js';
export { filePayload } from './payload.js';
export {
  pickStackFiles,
  prepareStackFiles,
  pruneStackFiles,
  renameReferences,
  STACK_OBJECT_LABEL,
} from './stack-files.js';
export type { StackFileChange } from './stack-files.js';
export {
  nextRegistryAuth,
  openRegistryAuth,
  sealRegistryAuth,
  withoutRegistryAuth,
} from './registry-auth.js';
