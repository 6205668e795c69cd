import Fastify, { LogController } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../shared/errors/index.js';
import { auditRefusal, installAuditLog } from './audit.js';

function app() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const a = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
  });
  installAuditLog(a as never, 'unix');
  a.post<{ Body: { spec: { name: string }; token: string } }>('/services', async () => ({
    id: 'svc1',
  }));
  a.post('/join', async (_req, reply) =>
    reply.status(403).send(new FlotillaError('JOIN_TOKEN_REJECTED', { reason: 'x' }).toJSON()),
  );
  a.get('/info', async () => ({}));
  a.get('/secret', async (req, reply) => {
    const err = new FlotillaError('CLIENT_CERT_REQUIRED', { reason: 'none sent' });
    auditRefusal(req, err);
    return reply.status(403).send(err.toJSON());
  });
  return { a, audits: () => lines.filter((l) => l.audit === true) };
}

describe('audit log', () => {
  it('logs a change with actor, action, target and result, and never the body', async () => {
    const { a, audits } = app();
    const token = 'FLT-1-deadbeef-supersecret';
    await a.inject({ method: 'POST', url: '/services', payload: { spec: { name: 'web' }, token } });
    expect(audits()).toEqual([
      expect.objectContaining({
        msg: 'audit',
        level: 30,
        actor: 'unix-socket',
        role: 'root',
        action: 'POST /services',
        target: { name: 'web', id: 'svc1' },
        result: { status: 200 },
      }),
    ]);
    expect(JSON.stringify(audits())).not.toContain(token);
  });

  it('records the error code of a refused change', async () => {
    const { a, audits } = app();
    await a.inject({ method: 'POST', url: '/join', payload: { token: 'FLT-1-x' } });
    expect(audits()[0]).toMatchObject({
      action: 'POST /join',
      result: { status: 403, code: 'JOIN_TOKEN_REJECTED' },
    });
    expect(JSON.stringify(audits())).not.toContain('FLT-1-x');
  });

  it('logs a refused authentication even on a GET, and no plain reads', async () => {
    const { a, audits } = app();
    await a.inject({ url: '/info' });
    await a.inject({ url: '/secret' });
    expect(audits()).toHaveLength(1);
    expect(audits()[0]).toMatchObject({
      action: 'GET /secret',
      result: { status: 403, code: 'CLIENT_CERT_REQUIRED' },
    });
  });
});
