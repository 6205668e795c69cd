import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { FlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import { containerRoutes } from '../routes/containers.js';
import { dockerRoutes, rewriteDockerUrl, statusFor } from './index.js';

async function app(containers: Record<string, unknown>) {
  const a = Fastify({ rewriteUrl: (req) => rewriteDockerUrl(req.method ?? 'GET', req.url ?? '/') });
  a.setErrorHandler((err, req, reply) => {
    const fe = toFlotillaError(err);
    void reply.status(statusFor(req.originalUrl, fe.kind)).send(fe.toJSON());
  });
  const c = { containers, images: { list: () => [] }, config: { hostname: 'h', dataRoot: '/d' } };
  await containerRoutes(containers as never, c.images as never)(a);
  await dockerRoutes(c as never)(a);
  await a.ready();
  return a;
}

describe('Docker Engine API translation', () => {
  it('answers /_ping (GET and HEAD) with the negotiation headers', async () => {
    const a = await app({});
    for (const method of ['GET', 'HEAD'] as const) {
      const r = await a.inject({ method, url: '/_ping' });
      expect(r.statusCode).toBe(200);
      expect(r.headers['api-version']).toBe('1.50');
      expect(r.headers.ostype).toBe('linux');
      expect(r.body).toBe(method === 'GET' ? 'OK' : '');
    }
  });

  it('translates Docker create bodies onto runtime.create', async () => {
    const create = vi.fn(async () => ({ id: 'abc', warnings: [] }));
    const a = await app({ create });
    const r = await a.inject({
      method: 'POST',
      url: '/v1.50/containers/create?name=web',
      payload: {
        Image: 'busybox',
        Cmd: ['httpd', '-f'],
        AttachStdout: true,
        ExposedPorts: { '80/tcp': {} },
        HostConfig: {
          PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
          Binds: ['/srv:/www:ro'],
          Memory: 1024,
          NetworkMode: 'default',
          ShmSize: 0,
          RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
        },
      },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ Id: 'abc', Warnings: [] });
    expect(create).toHaveBeenCalledWith({
      image: 'busybox',
      name: 'web',
      cmd: ['httpd', '-f'],
      tty: false,
      openStdin: false,
      expose: ['80/tcp'],
      ports: [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }],
      publishAll: false,
      mounts: [
        { type: 'bind', source: '/srv', target: '/www', readOnly: true, createHostPath: true },
      ],
      memoryBytes: 1024,
      privileged: false,
      readOnlyRootfs: false,
      autoRemove: false,
    });
  });

  it('refuses a set field it cannot honour with 400 naming it', async () => {
    const a = await app({ create: vi.fn() });
    const r = await a.inject({
      method: 'POST',
      url: '/v1.45/containers/create',
      payload: { Image: 'busybox', HostConfig: { BlkioWeight: 300 } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe('HostConfig.BlkioWeight is not supported by Flotilla');
  });

  it("routes shared verbs to Flotilla's own handlers and maps Docker's statuses", async () => {
    const start = vi.fn(async () => {
      throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: 'x' });
    });
    const a = await app({ start });
    expect((await a.inject({ method: 'POST', url: '/v1.50/containers/x/start' })).statusCode).toBe(
      409,
    );
    expect((await a.inject({ method: 'POST', url: '/containers/x/start' })).statusCode).toBe(412);
  });

  it('refuses clients older than 1.41', async () => {
    const a = await app({});
    const r = await a.inject({ method: 'GET', url: '/v1.30/containers/json' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/client version 1\.30 is too old/);
  });
});
