// The few kinds every error belongs to. Callers branch on kind or code; manager/api maps a kind to
// an HTTP status and the dispatcher to a gRPC status. The CLI's exit status depends on the command,
// not the kind (cli/exit-status.ts).

export type ErrorKind =
  | 'not_found'
  | 'already_exists'
  | 'invalid_argument'
  | 'failed_precondition'
  | 'conflict'
  | 'unavailable'
  | 'permission_denied'
  | 'internal';

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
