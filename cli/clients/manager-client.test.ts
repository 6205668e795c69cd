import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCsr,
  createRootCertificate,
  generateKeyPair,
  signLeaf,
} from '../../manager/ca/pki.js';
import type { ClusterContext } from '../contexts/index.js';
import { ManagerClient } from './manager-client.js';

let dir: string;
let serverTls: ServerOptions;
let tlsFiles: ClusterContext['tls'];
const servers: Server[] = [];

/** A CA, a server certificate for 127.0.0.1 and ::1, and a client certificate, as files. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-manager-client-'));
  const ca = await generateKeyPair();
  const caCertPem = await createRootCertificate('test-ca', 'test', ca.keys);
  const leaf = async (subject: string) => {
    const k = await generateKeyPair();
    const certPem = await signLeaf({
      csrPem: await createCsr(subject, k.keys),
      subject,
      caCertPem,
      caKey: ca.keys.privateKey,
      validDays: 1,
      altNames: { ips: ['127.0.0.1', '::1'], dns: ['localhost'] },
    });
    return { certPem, keyPem: k.keyPem };
  };
  const server = await leaf('CN=manager');
  const client = await leaf('CN=admin');
  serverTls = { key: server.keyPem, cert: server.certPem, ca: caCertPem, requestCert: true };
  tlsFiles = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
  };
  await writeFile(tlsFiles.caFile, caCertPem);
  await writeFile(tlsFiles.certFile, client.certPem);
  await writeFile(tlsFiles.keyFile, client.keyPem);
});

afterAll(() => {
  for (const s of servers) s.close();
});

async function manager(
  host: string,
  answer: (path: string) => { status: number; body: string },
): Promise<string> {
  const s = createServer(serverTls, (req, res) => {
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as AddressInfo).port;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** An address nothing listens on (a port taken and released). */
async function deadAddress(): Promise<string> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `127.0.0.1:${port}`;
}

function client(managers: string[]): ManagerClient {
  return new ManagerClient({ name: 't', clusterId: 'c', managers, tls: tlsFiles });
}

async function text(stream: AsyncIterable<unknown>): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('ManagerClient', () => {
  it('json() moves past an unreachable manager to the next one', async () => {
    const live = await manager('127.0.0.1', () => ({ status: 200, body: '{"ok":true}' }));
    await expect(client([await deadAddress(), live]).json({ path: '/info' })).resolves.toEqual({
      ok: true,
    });
  });

  // service logs had its own copy of the failover loop, without the IPv6 or error-body handling.
  it('stream() moves past an unreachable manager and returns the body as it comes', async () => {
    const live = await manager('127.0.0.1', (path) => ({ status: 200, body: `lines of ${path}` }));
    const res = await client([await deadAddress(), live]).stream({
      path: '/services/s1/logs',
      query: { follow: 'true', tail: undefined },
    });
    expect(await text(res)).toBe('lines of /services/s1/logs?follow=true');
  });

  it('does not fail over on an answer: the manager error reaches the caller with its code', async () => {
    const err = JSON.stringify({
      code: 'SERVICE_NOT_FOUND',
      kind: 'not_found',
      message: 'service web not found',
      params: { ref: 'web' },
    });
    const first = await manager('127.0.0.1', () => ({ status: 404, body: err }));
    const second = await manager('127.0.0.1', () => ({ status: 200, body: 'logs' }));
    await expect(client([first, second]).stream({ path: '/x' })).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      message: 'service web not found',
    });
  });

  // The old stream copy ran JSON.parse on any error body and threw a SyntaxError with a stack.
  it('turns an error body that is not JSON into one clear error', async () => {
    const bad = await manager('127.0.0.1', () => ({ status: 502, body: '<html>bad gateway' }));
    await expect(client([bad]).stream({ path: '/x' })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('manager answered 502: <html>bad gateway'),
    });
  });

  // Both copies passed "[::1]" with its brackets to https.request, which cannot resolve it.
  it('reaches a manager at a bracketed IPv6 address', async () => {
    const v6 = await manager('::1', () => ({ status: 200, body: '[1,2]' }));
    await expect(client([v6]).json({ path: '/nodes' })).resolves.toEqual([1, 2]);
    expect(await text(await client([v6]).stream({ path: '/nodes' }))).toBe('[1,2]');
  });

  it('says which manager was unreachable when none answers', async () => {
    const dead = await deadAddress();
    await expect(client([dead]).json({ path: '/info' })).rejects.toMatchObject({
      code: 'MANAGER_UNREACHABLE',
      message: expect.stringContaining(dead),
    });
  });
});
