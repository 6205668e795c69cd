// GET /info, join tokens, and the two unauthenticated joining routes (GET /ca, POST /join).
import type { FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ApiDeps } from '../context.js';
import { clusterDefaults, sealFor, type NodeRole } from '../../ca/index.js';

const role = { type: 'string', enum: ['worker', 'manager'] } as const;

export function clusterRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get('/info', { schema: {} }, async () => {
    const c = d.ca.cluster;
    const nodes = d.store.list('node');
    const tasks = d.store.list('task');
    return {
      cluster: {
        id: c.id,
        name: c.name,
        createdAt: c.createdAt,
        caDigest: c.ca.digest,
        addressPool: c.addressPool,
        heartbeatPeriodNs: c.heartbeatPeriodNs,
        nodeDownGraceNs: c.nodeDownGraceNs,
        taskHistoryLimit: c.taskHistoryLimit,
        certExpiryNs: c.certExpiryNs ?? clusterDefaults.certExpiryNs,
      },
      manager: {
        id: d.managerId,
        apiAddr: d.apiAddr,
        grpcAddr: d.grpcAddr,
        leader: d.leader.isLeader(),
      },
      leader: (await d.leader.leaderInfo()) ?? null,
      managers: await d.leader.managers(),
      nodes: {
        total: nodes.length,
        ready: nodes.filter((n) => n.status.state === 'ready').length,
        managers: nodes.filter((n) => n.spec.role === 'manager').length,
      },
      services: d.store.list('service').length,
      tasks: {
        total: tasks.length,
        running: tasks.filter((t) => t.status.state === 'running').length,
      },
    };
  });

  app.get<{ Params: { role: NodeRole } }>(
    '/cluster/join-token/:role',
    { schema: { params: { type: 'object', properties: { role }, required: ['role'] } } },
    async (req) => joinAnswer(d, req.params.role, d.ca.joinToken(req.params.role)),
  );

  app.post<{ Params: { role: NodeRole } }>(
    '/cluster/join-token/:role/rotate',
    { schema: { params: { type: 'object', properties: { role }, required: ['role'] } } },
    async (req) => {
      const token = await d.ca.rotateJoinToken(req.params.role);
      req.log.info({ role: req.params.role }, 'join token rotated');
      return joinAnswer(d, req.params.role, token);
    },
  );

  // The store as an etcd snapshot: secrets in it are ciphertext (the KEK is not in the store in
  // the clear), but the file is the cluster: the CLI writes it 0600.
  app.get('/cluster/backup', { schema: {} }, async (req, reply) => {
    if (!d.snapshot) throw new FlotillaError('INTERNAL', { detail: 'no store to back up' });
    const stream = await d.snapshot();
    req.log.info('cluster backup taken');
    return reply.type('application/octet-stream').send(stream);
  });

  // Unauthenticated: a joiner checks this certificate against its token's digest.
  app.get('/ca', { schema: {} }, async () => ({
    caCertPem: d.ca.caCertPem,
    digest: d.ca.cluster.ca.digest,
  }));

  app.post<{
    Body: {
      token: string;
      csrPem: string;
      hostname?: string;
      sealPublicKeyPem?: string;
      etcdPeerUrl?: string;
    };
  }>(
    '/join',
    {
      schema: {
        body: {
          type: 'object',
          required: ['token', 'csrPem'],
          properties: {
            token: { type: 'string', minLength: 1 },
            csrPem: { type: 'string', minLength: 1 },
            hostname: { type: 'string' },
            // A joining manager's seal key: the KEK is sealed for it (docs/decisions).
            sealPublicKeyPem: { type: 'string', minLength: 1 },
            // A joining manager's embedded etcd member (docs/decisions/0013).
            etcdPeerUrl: { type: 'string', pattern: '^https://[^/]+:[0-9]+$' },
          },
        },
      },
    },
    async (req) => {
      const r = d.ca.verifyJoinToken(req.body.token);
      const seal = req.body.sealPublicKeyPem;
      if (seal && r !== 'manager')
        throw new FlotillaError('JOIN_TOKEN_REJECTED', {
          reason: 'a worker token cannot join a manager',
        });
      const peerUrl = req.body.etcdPeerUrl;
      if (peerUrl && !seal)
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: 'etcdPeerUrl needs sealPublicKeyPem (only a manager joins the etcd cluster)',
        });
      const issued = await d.ca.issueNodeCertificate(req.body.csrPem, r);
      // The member first: it is what can be refused (no quorum, a member still joining), and a
      // learner that never starts costs no quorum. Undone if anything after it fails.
      const etcd = peerUrl ? await addEtcdMember(d, issued.nodeId, peerUrl, seal!) : undefined;
      try {
        // Sealed before answering: the joining manager reads it from the store next.
        if (seal) await d.ca.sealKekFor(issued.nodeId, seal);
      } catch (err) {
        if (etcd) await d.etcdMembership!.remove(etcd.memberId).catch(() => undefined);
        throw err;
      }
      req.log.info({ nodeId: issued.nodeId, role: r, hostname: req.body.hostname }, 'node joined');
      return { ...issued, role: r, clusterId: d.ca.cluster.id, ...(etcd ? { etcd } : {}) };
    },
  );
}

/** Adds the joiner's etcd member and seals the shared etcd CA for its seal key. */
async function addEtcdMember(d: ApiDeps, managerId: string, peerUrl: string, seal: string) {
  if (!d.etcdMembership)
    throw new FlotillaError('ETCD_JOIN_REFUSED', {
      reason: 'this cluster keeps its state in an external etcd',
      hint: 'start the joining manager with --etcd and the same etcd endpoints and certificates',
    });
  const ca = await d.etcdMembership.ca();
  const added = await d.etcdMembership.addLearner(managerId, peerUrl);
  return { ...added, caSealed: sealFor(seal, Buffer.from(JSON.stringify(ca))) };
}

function joinAnswer(d: ApiDeps, r: NodeRole, token: string) {
  const cmd = r === 'worker' ? 'agent' : 'manager';
  return {
    role: r,
    token,
    expiresAt: d.ca.cluster.joinTokens[r].expiresAt ?? null,
    addr: d.grpcAddr,
    command: `flotilla ${cmd} --join ${d.grpcAddr} --token ${token}`,
  };
}
