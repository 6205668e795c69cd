// Validation of every stored document kind; errors name the failing field.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ObjectKind } from '../types.js';
import { InvalidField } from './check.js';
import { validateNode } from './node.js';
import { validateService, validateServiceSpec } from './service.js';
import { validateConfig, validateSecret } from './secret.js';
import { validateTask } from './task.js';
import { validateAttachment, validateNetwork } from './network.js';

export { InvalidField, validateServiceSpec };

const validators: Record<ObjectKind, (v: unknown) => void> = {
  node: validateNode,
  service: validateService,
  task: validateTask,
  network: validateNetwork,
  secret: validateSecret,
  config: validateConfig,
  attachment: validateAttachment,
};

/** Throws STORE_INVALID_OBJECT naming the field when `v` is not a valid document of `kind`. */
export function validateObject(kind: ObjectKind, v: unknown): void {
  try {
    validators[kind](v);
  } catch (err) {
    if (err instanceof InvalidField)
      throw new FlotillaError('STORE_INVALID_OBJECT', {
        kind,
        field: err.field,
        reason: err.reason,
      });
    throw err;
  }
}

/** Throws SERVICE_SPEC_INVALID naming the field (for the API's 400 answers). */
export function checkServiceSpec(spec: unknown): void {
  try {
    validateServiceSpec(spec, 'spec');
  } catch (err) {
    if (err instanceof InvalidField)
      throw new FlotillaError('SERVICE_SPEC_INVALID', { field: err.field, reason: err.reason });
    throw err;
  }
}
