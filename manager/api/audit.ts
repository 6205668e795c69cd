// The API's audit log: one info line `audit` for every change (every method but GET/HEAD/OPTIONS)
// and for every refused authentication: who, what, on which target, with what result. Request
// bodies are never logged (they carry tokens, keys, secrets): only a `name` is taken from them.
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FlotillaError } from '../../shared/errors/index.js';

/** What the audit line says about a request, gathered while it is handled. */
interface AuditNote {
  /** The auth hook refused it: logged even for a GET. */
  refused?: boolean;
  code?: string;
  /** The id of what a change created (from the answer's `id` or `nodeId`). */
  createdId?: string;
  /** Who acted, when not a client certificate: a dashboard session's admin. */
  actor?: { actor: string; role: string; via: string };
}

const notes = new WeakMap<FastifyRequest, AuditNote>();

function note(req: FastifyRequest): AuditNote {
  let n = notes.get(req);
  if (!n) notes.set(req, (n = {}));
  return n;
}

/** Called where authentication refuses a request, so that it is logged whatever its method. */
export function auditRefusal(req: FastifyRequest, err: FlotillaError): void {
  const n = note(req);
  n.refused = true;
  n.code = err.code;
}

/** For requests authenticated otherwise than by certificate (the dashboard's session cookie). */
export function auditActor(
  req: FastifyRequest,
  actor: { actor: string; role: string; via: string },
): void {
  note(req).actor = actor;
}

const readOnly = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Answers larger than this are not parsed for their code or id (log streams, listings). */
const maxParsedBytes = 64 * 1024;

/** `transport` says who a request without a certificate is: the root-only socket, or nobody. */
export function installAuditLog(app: FastifyInstance, transport: 'tls' | 'unix'): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (readOnly.has(req.method) && !notes.get(req)?.refused) return payload;
    if (typeof payload !== 'string' || payload.length > maxParsedBytes) return payload;
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      const n = note(req);
      if (reply.statusCode >= 400 && typeof body.code === 'string') n.code ??= body.code;
      const id = body.id ?? body.nodeId;
      if (reply.statusCode < 300 && typeof id === 'string') n.createdId = id;
    } catch {
      // Not JSON: the status code alone is the result.
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const n = notes.get(req);
    if (readOnly.has(req.method) && !n?.refused) return;
    req.log.info(
      {
        audit: true,
        ...(n?.actor ?? actorOf(req, transport)),
        action: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
        target: targetOf(req, n),
        result: resultOf(reply, n),
        remote: req.ip,
      },
      'audit',
    );
  });
}

/** The verified certificate's CN and OU; `anonymous` without one (or with one we did not trust). */
export function actorOf(
  req: FastifyRequest,
  transport: 'tls' | 'unix',
): { actor: string; role: string } {
  if (transport === 'unix') return { actor: 'unix-socket', role: 'root' };
  const socket = req.raw.socket as TLSSocket;
  if (!socket.authorized) return { actor: 'anonymous', role: 'none' };
  const subject = socket.getPeerCertificate?.()?.subject;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return {
    actor: first(subject?.CN) || 'anonymous',
    role: first(subject?.OU) || 'none',
  };
}

/** The route's parameters, a `name` from the body (never the rest), and what was created. */
function targetOf(req: FastifyRequest, n: AuditNote | undefined): Record<string, string> {
  const t: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.params as Record<string, unknown>) ?? {}))
    if (typeof v === 'string') t[k] = v.slice(0, 200);
  const body = req.body as { name?: unknown; spec?: { name?: unknown } } | undefined;
  const name = body && typeof body === 'object' ? (body.name ?? body.spec?.name) : undefined;
  if (typeof name === 'string') t.name = name.slice(0, 200);
  if (n?.createdId && !t.id) t.id = n.createdId;
  return t;
}

function resultOf(reply: FastifyReply, n: AuditNote | undefined) {
  return { status: reply.statusCode, ...(n?.code ? { code: n.code } : {}) };
}
