// The API of a manager that restarted with autolock on: until `flotilla cluster unlock` gives the
// unlock key it serves GET /ca and POST /cluster/unlock with the certificate it had before the
// restart, and answers CLUSTER_LOCKED to everything else. The real API takes the port afterwards.
import type { TLSSocket } from 'node:tls';
import Fastify, { LogController } from 'fastify';
import { FlotillaError, httpStatusByKind } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { TlsCredentials } from '../ca/index.js';
import { authorizeApiPeer, type ApiAuthDeps } from './auth.js';
import { installErrorHandling } from './errors.js';
import { splitHostPort } from '../../shared/net/host-port.js';

export interface LockedApiDeps extends ApiAuthDeps {
  log: Logger;
  listen: string;
  /** The credentials written by the last unlocked start (<data-root>/certificates). */
  tls: TlsCredentials;
  /** Opens what the unlock key seals; throws UNLOCK_KEY_INVALID when it does not. */
  tryUnlock(unlockKey: string): void;
}

/** Serves until a correct unlock key arrives, then closes the port and resolves. */
export async function serveUntilUnlocked(d: LockedApiDeps): Promise<void> {
  const log = d.log.child({ component: 'api' });
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    https: {
      key: d.tls.keyPem,
      cert: d.tls.certPem,
      ca: d.tls.caCertPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
  });
  let unlocked!: () => void;
  const done = new Promise<void>((resolve) => (unlocked = resolve));
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (path === '/ca') return;
    const refuse = (e: FlotillaError) => reply.status(httpStatusByKind[e.kind]).send(e.toJSON());
    if (path !== '/cluster/unlock') return refuse(new FlotillaError('CLUSTER_LOCKED', {}));
    const verdict = authorizeApiPeer(req.raw.socket as TLSSocket, d);
    if ('error' in verdict) return refuse(verdict.error);
  });
  installErrorHandling(app as never);
  app.get('/ca', async () => ({ caCertPem: d.tls.caCertPem, locked: true }));
  app.post<{ Body: { unlockKey: string } }>(
    '/cluster/unlock',
    {
      schema: {
        body: {
          type: 'object',
          required: ['unlockKey'],
          properties: { unlockKey: { type: 'string', minLength: 1 } },
        },
      },
    },
    async (req) => {
      d.tryUnlock(req.body.unlockKey);
      req.log.info('manager unlocked');
      setImmediate(unlocked);
      return { unlocked: true };
    },
  );
  const [host, port] = splitHostPort(d.listen, { defaultHost: '0.0.0.0' });
  await app.listen({ host, port });
  log.warn({ addr: d.listen }, 'manager locked: waiting for `flotilla cluster unlock`');
  await done;
  await app.close();
}
