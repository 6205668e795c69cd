// A minimal Docker token service for integration tests: checks Basic credentials, grants every
// requested scope, and signs RS256 JWTs with a self-signed certificate that the registry trusts
// (docker-registry `auth.token.rootcertbundle`; the certificate travels in the x5c header).
import { execFile } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** Every token request: the scopes asked for and the user, if credentials came with it. */
  requests: Array<{ scopes: string[]; user?: string }>;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  // The resource name may contain host:port, so split the type off the front and actions off the end.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first === -1 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(','),
  };
}

export async function startTokenServer(
  dir: string,
  users: Record<string, string>,
): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=flotilla-test-token',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  const key = await readFile(keyPath, 'utf8');
  const certDer = new X509Certificate(await readFile(certPath)).raw;
  const service = 'flotilla-test-registry';
  const issuer = 'flotilla-test-issuer';
  const requests: TokenServer['requests'] = [];

  const server: Server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [name, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (users[name!] !== rest.join(':')) {
        requests.push({ scopes });
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"details":"incorrect username or password"}');
      }
      user = name;
    }
    requests.push({ scopes, ...(user ? { user } : {}) });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access: scopes.map(parseScope).filter(Boolean),
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(key);
    const token = `${input}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
