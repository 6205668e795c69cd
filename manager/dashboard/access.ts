// Who may use the dashboard: POST /dashboard-logins (an admin certificate, checked by the API's
// own hook) mints a one-time login URL; GET /dashboard/login exchanges it for a session cookie
// (HttpOnly, Secure, SameSite=Strict). Every other /dashboard path needs that session, re-checked
// against revocation on each request; changes also need the page's CSRF header and same origin.
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError } from '../../shared/errors/index.js';
import { auditActor, auditRefusal, authorizeIdentity, type ApiDeps } from '../api/index.js';
import { fromSubject } from '../ca/index.js';
import { DashboardSessions, type DashboardSession } from './sessions.js';

export const cookieName = 'flotilla_dashboard';
export const dashboardPrefix = '/dashboard';
const loginPath = `${dashboardPrefix}/login`;
const readOnly = new Set(['GET', 'HEAD']);

const sessionOf = new WeakMap<FastifyRequest, DashboardSession>();

/** The session a request was admitted with (every /dashboard route but the login has one). */
export function requestSession(req: FastifyRequest): DashboardSession {
  const s = sessionOf.get(req);
  if (!s) throw new FlotillaError('DASHBOARD_SESSION_REQUIRED', { reason: 'no session' });
  return s;
}

export function accessRoutes(app: FastifyInstance, d: ApiDeps, sessions: DashboardSessions): void {
  // Before the routes, so that it guards each of them.
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (path !== dashboardPrefix && !path.startsWith(dashboardPrefix + '/')) return;
    if (path === loginPath) return;
    const s = sessions.session(cookie(req, cookieName));
    if (!s)
      return refuse(
        req,
        reply,
        new FlotillaError('DASHBOARD_SESSION_REQUIRED', { reason: 'none' }),
      );
    const revoked = authorizeIdentity(s.identity, {
      node: (id) => d.store.get('node', id),
      isRevoked: (id) => d.ca.isRevoked(id),
    });
    if (revoked) {
      sessions.end(s.id);
      return refuse(req, reply, revoked);
    }
    auditActor(req, { actor: s.identity.nodeId, role: s.identity.role, via: 'dashboard' });
    if (!readOnly.has(req.method)) {
      const why = forgeryReason(req, s);
      if (why)
        return refuse(req, reply, new FlotillaError('DASHBOARD_ACTION_REFUSED', { reason: why }));
    }
    sessionOf.set(req, s);
  });

  app.post('/dashboard-logins', async (req, reply) => {
    const identity = callerIdentity(req);
    const { token, expiresAtMs } = sessions.mintToken(identity);
    req.log.info({ actor: identity.nodeId }, 'dashboard login url issued');
    return reply.status(201).send({
      url: `https://${d.apiAddr}${loginPath}?token=${token}`,
      expiresAt: new Date(expiresAtMs).toISOString(),
    });
  });

  app.get<{ Querystring: { token?: string } }>(loginPath, async (req, reply) => {
    const s = typeof req.query.token === 'string' ? sessions.exchange(req.query.token) : undefined;
    if (!s) return refuse(req, reply, new FlotillaError('DASHBOARD_LOGIN_REFUSED', {}));
    const maxAge = Math.floor(sessions.sessionTtlMs / 1000);
    void reply.header(
      'set-cookie',
      `${cookieName}=${s.id}; Path=${dashboardPrefix}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`,
    );
    // The token leaves the address bar at once, and is not sent on as a Referer.
    void reply.header('referrer-policy', 'no-referrer');
    return reply.redirect(`${dashboardPrefix}/`, 303);
  });
}

/**
 * SameSite=Strict already keeps the cookie off cross-site requests; the custom header (which a
 * cross-origin form cannot send) and the Origin check make each action provably the page's own.
 */
function forgeryReason(req: FastifyRequest, s: DashboardSession): string | undefined {
  if (!DashboardSessions.csrfMatches(s, req.headers['x-flotilla-csrf']))
    return 'missing or wrong x-flotilla-csrf header';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `https://${req.headers.host ?? ''}`)
    return `origin ${origin} is not this manager`;
  return undefined;
}

/** The verified admin certificate of the request (the API's hook has checked it already). */
function callerIdentity(req: FastifyRequest) {
  const socket = req.raw.socket as TLSSocket;
  const subject = socket.authorized ? socket.getPeerCertificate?.()?.subject : undefined;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const identity = subject ? fromSubject(first(subject.CN), first(subject.OU)) : undefined;
  if (identity?.role !== 'admin')
    throw new FlotillaError('DASHBOARD_ADMIN_REQUIRED', {
      actor: identity ? `${identity.role} ${identity.nodeId}` : 'no certificate',
    });
  return identity;
}

/** 401 for a missing or refused session, with the error body; logged in the audit log. */
function refuse(req: FastifyRequest, reply: FastifyReply, err: FlotillaError) {
  auditRefusal(req, err);
  const status = err.code === 'DASHBOARD_ACTION_REFUSED' ? 403 : 401;
  return reply.status(status).header('cache-control', 'no-store').send(err.toJSON());
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
