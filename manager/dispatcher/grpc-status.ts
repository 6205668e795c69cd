// Maps FlotillaError kinds to gRPC status codes. The error itself travels as JSON in the
// `flotilla-error` trailer so the agent can rebuild it with FlotillaError.fromJSON.
import * as grpc from '@grpc/grpc-js';
import type { ErrorKind, FlotillaError } from '../../shared/errors/index.js';

export const grpcStatusByKind: Record<ErrorKind, grpc.status> = {
  not_found: grpc.status.NOT_FOUND,
  already_exists: grpc.status.ALREADY_EXISTS,
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  failed_precondition: grpc.status.FAILED_PRECONDITION,
  conflict: grpc.status.ABORTED,
  unavailable: grpc.status.UNAVAILABLE,
  permission_denied: grpc.status.PERMISSION_DENIED,
  internal: grpc.status.INTERNAL,
};

export function toServiceError(err: FlotillaError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set('flotilla-error', JSON.stringify(err.toJSON()));
  return { code: grpcStatusByKind[err.kind], details: err.message, metadata };
}
