// Docker's status codes for Flotilla's error kinds: Docker answers 409 where Flotilla says
// failed_precondition (e.g. "container is not running"); the other kinds map as Flotilla's do.
import type { FastifyReply } from 'fastify';
import {
  httpStatusByKind,
  type ErrorKind,
  type FlotillaError,
} from '../../../shared/errors/index.js';
import { requestedVersion } from './rewrite.js';

export function dockerStatus(kind: ErrorKind): number {
  return kind === 'failed_precondition' ? 409 : httpStatusByKind[kind];
}

/** The status for a request: Docker's when a Docker client (a versioned path) asked. */
export function statusFor(url: string, kind: ErrorKind): number {
  return requestedVersion(url) ? dockerStatus(kind) : httpStatusByKind[kind];
}

/**
 * Sends an error: to a Docker client (versioned path) as Docker's `{"message"}` with exactly
 * `application/json` (the docker CLI shows the raw body for any other content type).
 */
export function sendError(
  url: string,
  reply: FastifyReply,
  fe: FlotillaError,
  status?: number,
): void {
  if (!requestedVersion(url)) {
    void reply.status(status ?? httpStatusByKind[fe.kind]).send(fe.toJSON());
    return;
  }
  void reply
    .status(status ?? dockerStatus(fe.kind))
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify({ message: fe.message })));
}
