// Docker's status codes for Flotilla's error kinds: Docker answers 409 where Flotilla says
// failed_precondition (e.g. "container is not running"); the other kinds map as Flotilla's do.
import { httpStatusByKind, type ErrorKind } from '../../../shared/errors/index.js';
import { requestedVersion } from './rewrite.js';

export function dockerStatus(kind: ErrorKind): number {
  return kind === 'failed_precondition' ? 409 : httpStatusByKind[kind];
}

/** The status for a request: Docker's when a Docker client (a versioned path) asked. */
export function statusFor(url: string, kind: ErrorKind): number {
  return requestedVersion(url) ? dockerStatus(kind) : httpStatusByKind[kind];
}
