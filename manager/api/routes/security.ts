// Access control of the cluster: admin certificates (`cluster admin add|ls|rm`), the CA
// key-encryption key (`cluster update --rotate-key`), autolock and its unlock key, and join-token
// expiry. Authorisation of each request is auth.ts's; these routes change what it reads.
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import {
  issueAdminCertificate,
  listAdmins,
  revokeAdmin,
  type KekKeeper,
  type NodeRole,
} from '../../ca/index.js';
import type { ApiDeps } from '../context.js';

const role = { type: 'string', enum: ['worker', 'manager'] } as const;

export function securityRoutes(app: FastifyInstance, d: ApiDeps): void {
  const keeper = (): KekKeeper => {
    if (!d.kek) throw new FlotillaError('INTERNAL', { detail: 'no key-encryption key keeper' });
    return d.kek;
  };

  app.get('/cluster/admins', { schema: {} }, async () => listAdmins(d.ca));

  app.post<{ Body: { name: string; csrPem: string } }>(
    '/cluster/admins',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'csrPem'],
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$' },
            csrPem: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    async (req) => {
      const issued = await issueAdminCertificate(d.ca, req.body.name, req.body.csrPem);
      req.log.info(
        { adminId: issued.admin.id, name: issued.admin.name },
        'admin certificate issued',
      );
      const live = (await d.leader.managers()).map((m) => m.apiAddr);
      return {
        ...issued,
        clusterId: d.ca.cluster.id,
        clusterName: d.ca.cluster.name,
        managers: [...new Set([d.apiAddr, ...live])],
      };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/cluster/admins/:name',
    { schema: { params: { type: 'object', properties: { name: { type: 'string' } } } } },
    async (req, reply) => {
      const a = await revokeAdmin(d.ca, req.params.name);
      req.log.info({ adminId: a.id, name: a.name }, 'admin certificate revoked');
      return reply.status(204).send();
    },
  );

  app.post('/cluster/key-encryption-key/rotate', { schema: {} }, async (req) => {
    await keeper().rotate(d.ca);
    req.log.info({ kekId: d.ca.cluster.kek?.id }, 'key-encryption key rotated');
    return { kekId: d.ca.cluster.kek?.id, rotatedAt: d.ca.cluster.kek?.rotatedAt };
  });

  app.post<{ Body: { enabled: boolean } }>(
    '/cluster/autolock',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled'],
          properties: { enabled: { type: 'boolean' } },
        },
      },
    },
    async (req) => {
      const unlockKey = await keeper().setAutolock(req.body.enabled);
      req.log.info({ autolock: req.body.enabled }, 'autolock changed');
      return { autolock: req.body.enabled, ...(unlockKey ? { unlockKey } : {}) };
    },
  );

  app.get('/cluster/unlock-key', { schema: {} }, async () => ({
    unlockKey: keeper().unlockKey(d.ca.cluster),
  }));

  app.post('/cluster/unlock-key/rotate', { schema: {} }, async (req) => {
    const unlockKey = await keeper().rotateUnlockKey();
    req.log.info('unlock key rotated');
    return { unlockKey };
  });

  // A manager that answers here is not locked (the locked one serves its own route).
  app.post('/cluster/unlock', { schema: {} }, async () => {
    throw new FlotillaError('CLUSTER_NOT_LOCKED', {});
  });

  app.post<{ Body: { expiryNs: number } }>(
    '/cluster/join-token-expiry',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['expiryNs'],
          properties: { expiryNs: { type: 'number', minimum: 0 } },
        },
      },
    },
    async (req) => {
      await d.ca.setDefaultJoinTokenExpiry(req.body.expiryNs);
      return { joinTokenExpiryNs: req.body.expiryNs, joinTokens: expiries(d) };
    },
  );

  app.post<{ Params: { role: NodeRole }; Body: { expiryNs: number } }>(
    '/cluster/join-token/:role/expiry',
    {
      schema: {
        params: { type: 'object', properties: { role }, required: ['role'] },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['expiryNs'],
          properties: { expiryNs: { type: 'number', minimum: 0 } },
        },
      },
    },
    async (req) => {
      await d.ca.setJoinTokenExpiry(req.params.role, req.body.expiryNs);
      return { role: req.params.role, ...expiries(d)[req.params.role] };
    },
  );
}

function expiries(d: ApiDeps) {
  const t = d.ca.cluster.joinTokens;
  return {
    worker: { expiresAt: t.worker.expiresAt ?? null },
    manager: { expiresAt: t.manager.expiresAt ?? null },
  };
}
