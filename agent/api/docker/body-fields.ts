// What "set" means in a Docker request body, and the refusal of a field that cannot be honoured
// (Docker's 400 naming the field), shared by the body translators of this folder.
import { FlotillaError } from '../../../shared/errors/index.js';

type Doc = Record<string, unknown>;

/** Docker's "unset" where it is not the zero value. */
const unsetValues: Record<string, unknown> = { MemorySwappiness: -1 };

export function isSet(v: unknown, field?: string): boolean {
  if (field !== undefined && field in unsetValues && v === unsetValues[field]) return false;
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.values(v as Doc).some((x) => isSet(x));
  return true;
}

export function refuse(field: string, why = 'is not supported by Flotilla'): never {
  throw new FlotillaError('INVALID_ARGUMENT', { detail: `${field} ${why}` });
}
