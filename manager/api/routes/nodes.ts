// Nodes: list, inspect, update (availability, labels, role), remove (revokes the certificate).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Node } from '../../../shared/model/index.js';
import { findNode, type ApiDeps } from '../context.js';
import { withManagerStatus, type ManagerView } from '../manager-status.js';

const idParam = {
  params: {
    type: 'object',
    properties: { id: { type: 'string', minLength: 1 } },
    required: ['id'],
  },
};

interface NodeUpdate {
  version?: number;
  availability?: Node['spec']['availability'];
  role?: Node['spec']['role'];
  labelAdd?: Record<string, string>;
  labelRm?: string[];
}

export function nodeRoutes(app: FastifyInstance, d: ApiDeps): void {
  app.get('/nodes', { schema: {} }, async () => {
    const view = await managerView(d);
    return d.store
      .list('node')
      .sort((a, b) => a.description.hostname.localeCompare(b.description.hostname))
      .map((n) => withManagerStatus(n, view));
  });

  app.get<{ Params: { id: string } }>('/nodes/:id', { schema: idParam }, async (req) =>
    withManagerStatus(findNode(d.store, req.params.id), await managerView(d)),
  );

  app.post<{ Params: { id: string }; Body: NodeUpdate }>(
    '/nodes/:id/update',
    {
      schema: {
        ...idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            version: { type: 'integer' },
            availability: { type: 'string', enum: ['active', 'pause', 'drain'] },
            role: { type: 'string', enum: ['manager', 'worker'] },
            labelAdd: { type: 'object', additionalProperties: { type: 'string' } },
            labelRm: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async (req) => {
      const node = findNode(d.store, req.params.id);
      const id = node.id;
      const b = req.body;
      // A demoted manager machine stops being an etcd member (before the write: etcd may refuse).
      if (b.role === 'worker' && node.spec.role === 'manager')
        await removeEtcdMembers(d, node, req.log);
      return d.store.update((tx) => {
        const n = tx.get('node', id);
        if (!n) throw new FlotillaError('NODE_NOT_FOUND', { id });
        if (b.version !== undefined && b.version !== n.version)
          throw new FlotillaError('STORE_CONFLICT', { kind: 'node', id, attempts: 1 });
        if (b.availability) n.spec.availability = b.availability;
        if (b.role) n.spec.role = b.role;
        for (const k of b.labelRm ?? []) delete n.spec.labels[k];
        Object.assign(n.spec.labels, b.labelAdd ?? {});
        n.version += 1;
        n.updatedAt = new Date().toISOString();
        tx.update('node', n);
        return n;
      });
    },
  );

  app.delete<{ Params: { id: string }; Querystring: { force?: boolean } }>(
    '/nodes/:id',
    {
      schema: {
        ...idParam,
        querystring: { type: 'object', properties: { force: { type: 'boolean' } } },
      },
    },
    async (req, reply) => {
      const n = findNode(d.store, req.params.id);
      if (!req.query.force && n.status.state === 'ready')
        throw new FlotillaError('NODE_NOT_DOWN', { id: n.id, state: n.status.state });
      if (n.spec.role === 'manager') await removeEtcdMembers(d, n, req.log);
      // Revoke first: a node that is gone from the store must not reconnect with its certificate.
      await d.ca.revoke(n.id);
      await d.store.update((tx) => {
        if (tx.get('node', n.id)) tx.delete('node', n.id);
      });
      req.log.info({ nodeId: n.id }, 'node removed');
      return reply.status(204).send();
    },
  );
}

/** The etcd members of the managers on NODE's machine (embedded etcd only). */
async function removeEtcdMembers(d: ApiDeps, node: Node, log: FastifyBaseLogger): Promise<void> {
  const host = node.description.addr;
  if (!d.etcdMembership || !host) return;
  let removed: string[];
  try {
    removed = await d.etcdMembership.removeOnHost(host);
  } catch (err) {
    // Every member on this address: several managers and nodes share one host (a single-machine
    // cluster, the tests), so the address does not say which member is this node's. The node's
    // role changes; etcd's membership stays as it is.
    const every = isEveryMemberRefusal(err);
    if (!every) throw err;
    log.warn({ nodeId: node.id, host }, 'no etcd member removed: every member is on this address');
    return;
  }
  if (removed.length > 0) log.info({ nodeId: node.id, members: removed }, 'etcd members removed');
}

function isEveryMemberRefusal(err: unknown): boolean {
  return (
    err instanceof FlotillaError &&
    err.code === 'MANAGER_REMOVE_REFUSED' &&
    String((err.params as Record<string, unknown>).reason).startsWith('it holds every etcd member')
  );
}

async function managerView(d: ApiDeps): Promise<ManagerView> {
  const [managers, leader] = await Promise.all([d.leader.managers(), d.leader.leaderInfo()]);
  return { managers, leader };
}
