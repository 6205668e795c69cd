// Every error code a user can see. Each component keeps its entries in catalog/<component>.ts;
// this file joins them. docs/errors.md lists them all (npm run gen:errors-doc), and
// codes.test.ts keeps the two in step.
import { commonCodes } from './catalog/common.js';
import { stackCodes } from './catalog/stack.js';
import { unitCodes } from './catalog/units.js';
import { unpackCodes } from './catalog/unpack.js';
import { networkCodes } from './catalog/network.js';
import { clusterNetworkCodes } from './catalog/cluster-network.js';
import { managerCodes } from './catalog/manager.js';
import { buildCodes } from './catalog/build.js';
import { registryCodes } from './catalog/registry.js';
import { clusterCodes } from './catalog/cluster.js';
import { imageCodes } from './catalog/image.js';
import { runtimeCodes } from './catalog/runtime.js';
import { updateCodes } from './catalog/update.js';
import { securityCodes } from './catalog/security.js';
import { certificateCodes } from './catalog/certificates.js';
import { secretCodes } from './catalog/secrets.js';
import { loggingCodes } from './catalog/logging.js';
import { copyCodes } from './catalog/copy.js';
import type { CodeEntry } from './types.js';

export const codes = {
  ...commonCodes,
  ...stackCodes,
  ...unitCodes,
  ...unpackCodes,
  ...networkCodes,
  ...clusterNetworkCodes,
  ...managerCodes,
  ...buildCodes,
  ...registryCodes,
  ...clusterCodes,
  ...imageCodes,
  ...runtimeCodes,
  ...updateCodes,
  ...securityCodes,
  ...certificateCodes,
  ...secretCodes,
  ...loggingCodes,
  ...copyCodes,
} satisfies Record<string, CodeEntry>;

export type ErrorCode = keyof typeof codes;
