// The few kinds every error belongs to. Callers branch on kind or code; the CLI maps a kind to an
// exit code, manager/api to an HTTP status and the dispatcher to a gRPC status.

export type ErrorKind =
  | 'not_found'
  | 'already_exists'
  | 'invalid_argument'
  | 'failed_precondition'
  | 'conflict'
  | 'unavailable'
  | 'permission_denied'
  | 'internal';

/** Exit status of the CLI for each kind. 125 matches Docker's "the engine failed" status. */
export const exitCodeByKind: Record<ErrorKind, number> = {
  invalid_argument: 125,
  not_found: 125,
  already_exists: 125,
  failed_precondition: 125,
  conflict: 125,
  unavailable: 125,
  permission_denied: 125,
  internal: 125,
};

export const httpStatusByKind: Record<ErrorKind, number> = {
  not_found: 404,
  already_exists: 409,
  invalid_argument: 400,
  failed_precondition: 412,
  conflict: 409,
  unavailable: 503,
  permission_denied: 403,
  internal: 500,
};

export const errorKinds = Object.keys(httpStatusByKind) as ErrorKind[];
