// The manager's HTTP API: fastify over TLS where every route but GET /ca and POST /join needs a
// client certificate of the cluster CA that the store still allows (auth.ts); optionally the
// same routes on a root-only unix socket without TLS. Limits (limits.ts, rate-limit.ts) and the
// audit log (audit.ts) are their own modules; this file wires them.
import { chmod, rm } from 'node:fs/promises';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { httpStatusByKind } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import { joinHostPort, splitHostPort } from '../../shared/net/host-port.js';
import type { TlsCredentials } from '../ca/index.js';
import { auditRefusal, installAuditLog } from './audit.js';
import { authorizeApiPeer } from './auth.js';
import type { ApiDeps } from './context.js';
import { installErrorHandling } from './errors.js';
import {
  apiLimits,
  capConnections,
  timeoutOptions,
  tlsServerTimeouts,
  type ApiLimits,
} from './limits.js';
import { installManagersHeader } from './managers-header.js';
import { installRateLimit, TokenBuckets } from './rate-limit.js';
import { registerRoutes } from './routes/index.js';

const publicRoutes = new Set(['/ca', '/join']);

export interface ManagerApiServerDeps extends ApiDeps {
  log: Logger;
  /** host:port for HTTPS. */
  listen: string;
  tls: TlsCredentials;
  /** Also serve on this unix socket (mode 0600, no TLS). */
  socketPath?: string;
  /** Timeouts, connection cap, /ca and /join rate (limits.ts); unset ones take the defaults. */
  limits?: Partial<ApiLimits>;
  /** For the rate limit's buckets. @default the system clock */
  clock?: { now(): number };
  /** Routes of another part (the web dashboard), HTTPS only; see ApiExtension. */
  extension?: ApiExtension;
  /** Told every answered request: method, route pattern, status, duration (metrics). */
  onRequest?: (method: string, route: string, status: number, durationMs: number) => void;
}

/**
 * Routes added to the HTTPS API by another part. Requests under `selfAuthenticatedPrefix` skip
 * the certificate check: the extension authenticates them itself (the dashboard's browser
 * session) and must refuse whatever it does not authenticate.
 */
export interface ApiExtension {
  selfAuthenticatedPrefix: string;
  register(app: FastifyInstance, d: ApiDeps): void;
}

export class ManagerApiServer {
  private https?: FastifyInstance;
  private unix?: FastifyInstance;
  /** The bound address (port resolved when listen asked for :0). */
  address = '';

  constructor(private readonly deps: ManagerApiServerDeps) {}

  async start(): Promise<void> {
    const d = this.deps;
    const log = d.log.child({ component: 'api' });
    const limits = apiLimits(d.limits);
    const https = Fastify({
      loggerInstance: log,
      logController: new LogController({ disableRequestLogging: true }),
      ...timeoutOptions(limits),
      https: {
        ...tlsServerTimeouts(limits),
        key: d.tls.keyPem,
        cert: d.tls.certPem,
        ca: d.tls.caCertPem,
        // Requested but not required at the handshake, so that /ca and /join work for joiners;
        // the hook below refuses everything else without a verified certificate.
        requestCert: true,
        rejectUnauthorized: false,
      },
    });
    capConnections(https.server, limits);
    installAuditLog(plain(https), 'tls');
    const buckets = new TokenBuckets({
      burst: limits.joinBurst,
      perMinute: limits.joinRatePerMinute,
      clock: d.clock ?? Date,
    });
    installRateLimit(plain(https), publicRoutes, buckets);
    const own = d.extension?.selfAuthenticatedPrefix;
    https.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0];
      if (publicRoutes.has(path)) return;
      if (own && (path === own || path.startsWith(own + '/'))) return;
      const verdict = authorizeApiPeer(req.raw.socket as TLSSocket, {
        node: (id) => d.store.get('node', id),
        isRevoked: (id) => d.ca.isRevoked(id),
      });
      if (!('error' in verdict)) {
        // Authenticated callers learn at once that the store cannot answer (quorum-guard.ts).
        d.quorum?.check();
        return;
      }
      auditRefusal(req, verdict.error);
      return reply.status(httpStatusByKind[verdict.error.kind]).send(verdict.error.toJSON());
    });
    if (d.onRequest) {
      const onRequest = d.onRequest;
      https.addHook('onResponse', async (req, reply) => {
        // The route's pattern (/services/:id), never the URL: one series per route, not per id.
        onRequest(
          req.method,
          req.routeOptions.url ?? 'unmatched',
          reply.statusCode,
          reply.elapsedTime,
        );
      });
    }
    installErrorHandling(plain(https));
    installManagersHeader(plain(https), async () =>
      (await d.leader.managers()).map((m) => m.apiAddr),
    );
    registerRoutes(plain(https), d);
    d.extension?.register(plain(https), d);
    const [host, port] = splitHostPort(d.listen, { defaultHost: '0.0.0.0' });
    await https.listen({ host, port });
    const a = https.server.address();
    this.address = typeof a === 'object' && a ? joinHostPort(host, a.port) : d.listen;
    this.https = plain(https);

    if (d.socketPath) {
      const unix = Fastify({
        loggerInstance: log,
        logController: new LogController({ disableRequestLogging: true }),
      });
      installAuditLog(plain(unix), 'unix');
      installErrorHandling(plain(unix));
      registerRoutes(plain(unix), d);
      await rm(d.socketPath, { force: true });
      await unix.listen({ path: d.socketPath });
      await chmod(d.socketPath, 0o600);
      this.unix = plain(unix);
    }
    log.info({ addr: this.address, socket: d.socketPath }, 'manager api listening');
  }

  /** A renewed certificate or new trust bundle: new connections get it, open ones stay. */
  updateCredentials(tls: TlsCredentials): void {
    const server = this.https?.server as unknown as TlsServer | undefined;
    server?.setSecureContext({ key: tls.keyPem, cert: tls.certPem, ca: tls.caCertPem });
  }

  async stop(): Promise<void> {
    await this.https?.close();
    await this.unix?.close();
  }
}

/** Routes are written against the default instance type; ours differs only in the logger type. */
function plain(app: unknown): FastifyInstance {
  return app as FastifyInstance;
}
