// Certificate settings and the CA rotation: POST /cluster/update (cert expiry), GET /cluster/ca
// (rotation progress), POST /cluster/ca/rotate, and POST /cluster/ca/renew-client (an admin's
// own certificate under the new root, so the CLI context that rotates keeps working).
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import { formatDurationNs } from '../../../shared/units/index.js';
import { minCertExpiryNs, rotationProgress } from '../../ca/index.js';
import type { ApiDeps } from '../context.js';

export function certificateRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.post<{ Body: { certExpiryNs?: number } }>(
    '/cluster/update',
    {
      schema: {
        body: {
          type: 'object',
          properties: { certExpiryNs: { type: 'integer' } },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      const ns = req.body.certExpiryNs;
      if (ns !== undefined) {
        if (ns < minCertExpiryNs)
          throw new FlotillaError('INVALID_FLAG_VALUE', {
            flag: '--cert-expiry',
            value: formatDurationNs(ns),
            reason: `must be at least ${formatDurationNs(minCertExpiryNs)}`,
          });
        await d.ca.setCertExpiry(ns);
        req.log.info({ certExpiryNs: ns }, 'certificate expiry changed');
      }
      return { certExpiryNs: d.ca.cluster.certExpiryNs };
    },
  );

  app.get('/cluster/ca', { schema: {} }, async () => caStatus(d));

  app.post('/cluster/ca/rotate', { schema: {} }, async (req) => {
    await d.ca.rotateRoot();
    req.log.info({ digest: d.ca.cluster.ca.digest }, 'CA rotation begun');
    return caStatus(d);
  });

  app.post('/cluster/ca/renew-client', { schema: {} }, async (req) => {
    const socket = req.raw.socket as Partial<TLSSocket>;
    const peer = socket.getPeerCertificate?.();
    const cn = peer?.subject?.CN;
    const ou = peer?.subject?.OU;
    if (!cn || ou !== 'admin')
      throw new FlotillaError('PERMISSION_DENIED', {
        detail: 'only an admin client certificate over TLS can be renewed here',
      });
    const tls = await d.ca.issueKeyAndCertificate('admin', String(cn));
    req.log.info({ admin: cn }, 'admin certificate renewed');
    return tls;
  });
}

async function caStatus(d: ApiDeps) {
  const c = d.ca.cluster;
  const managers = (await d.leader.managers()).map((m) => m.managerId);
  return {
    ...rotationProgress(c, d.store.list('node'), managers),
    caCertPem: c.ca.certPem,
    certExpiryNs: c.certExpiryNs,
  };
}
