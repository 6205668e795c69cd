// The client against a small in-process fake registry with a bearer token service: token scopes,
// caching, refresh, no 401 loops, credentials to the token realm, cross-origin redirects and the
// manifest checks (size cap, digest header, schema1) that a real registry never triggers.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../shared/errors/index.js';
import { silentLogger } from '../../../shared/log/index.js';
import { parseReference } from '../reference/index.js';
import { HttpRegistryClient, mediaTypes } from './index.js';
import type { Credentials } from './index.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
const layer = Buffer.from('layer bytes '.repeat(1000));
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: mediaTypes.dockerLayerGzip, digest: sha(layer), size: layer.length }],
  }),
);

interface State {
  tokenRequests: Array<{ scopes: string[]; authorization?: string }>;
  registryRequests: Array<{ method: string; url: string; authorization?: string }>;
  cdnRequests: Array<{ authorization?: string; range?: string }>;
  issued: Map<string, string[]>;
  expiresIn: number;
  rejectAllTokens: boolean;
  requiredPassword?: string;
  manifestOverride?: { body: Buffer; contentType: string; digestHeader?: string };
  redirectBlobs: boolean;
}

let state: State;
let registry: Server;
let tokens: Server;
let cdn: Server;
let host: string;
let tokenUrl: string;
let cdnUrl: string;
let now = 1_000_000;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function challenge(res: ServerResponse, scope?: string): void {
  const scopePart = scope ? `,scope="${scope}",error="insufficient_scope"` : '';
  res.writeHead(401, {
    'www-authenticate': `Bearer realm="${tokenUrl}",service="fake \\"registry\\""${scopePart}`,
    'content-type': 'application/json',
  });
  res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
}

function handleRegistry(req: IncomingMessage, res: ServerResponse): unknown {
  const authorization = req.headers.authorization;
  state.registryRequests.push({ method: req.method!, url: req.url!, authorization });
  req.resume();
  if (req.url === '/v2/') {
    if (!authorization) return challenge(res);
  }
  const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/?]+)/.exec(req.url ?? '');
  const repo = m?.[1];
  const scope = repo ? `repository:${repo}:pull` : undefined;
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const granted = token ? state.issued.get(token) : undefined;
  if (
    state.rejectAllTokens ||
    !granted ||
    (scope && !granted.some((s) => s.startsWith(`repository:${repo}:`)))
  )
    return challenge(res, scope);
  if (req.url === '/v2/') {
    res.writeHead(200);
    return res.end('{}');
  }
  if (m?.[2] === 'manifests') {
    const o = state.manifestOverride;
    const body = o?.body ?? manifest;
    const headers: Record<string, string> = {
      'content-type': o?.contentType ?? mediaTypes.dockerManifest,
      'content-length': String(body.length),
      'docker-content-digest': o?.digestHeader ?? sha(body),
    };
    res.writeHead(200, headers);
    return res.end(req.method === 'HEAD' ? undefined : body);
  }
  if (m?.[2] === 'blobs') {
    const blob = m[3] === sha(config) ? config : m[3] === sha(layer) ? layer : undefined;
    if (!blob) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"errors":[{"code":"BLOB_UNKNOWN"}]}');
    }
    if (state.redirectBlobs) {
      res.writeHead(307, { location: `${cdnUrl}/cdn/${m[3]}?sig=1` });
      return res.end();
    }
    res.writeHead(200, { 'content-length': String(blob.length) });
    return res.end(blob);
  }
  res.writeHead(404);
  res.end();
}

function handleTokens(req: IncomingMessage, res: ServerResponse): unknown {
  req.resume();
  const url = new URL(req.url!, 'http://x');
  const scopes = url.searchParams.getAll('scope');
  state.tokenRequests.push({ scopes, authorization: req.headers.authorization });
  if (url.searchParams.get('service') !== 'fake "registry"') {
    res.writeHead(400);
    return res.end();
  }
  if (state.requiredPassword !== undefined) {
    const expected = `Basic ${Buffer.from(`user:${state.requiredPassword}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401);
      return res.end('{"details":"incorrect username or password"}');
    }
  }
  const token = `tok-${state.tokenRequests.length}`;
  state.issued.set(token, scopes);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ access_token: token, expires_in: state.expiresIn }));
}

function handleCdn(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  state.cdnRequests.push({ authorization: req.headers.authorization, range: req.headers.range });
  const digest = /\/cdn\/([^?]+)/.exec(req.url ?? '')?.[1];
  const blob = digest === sha(layer) ? layer : config;
  res.writeHead(200, { 'content-length': String(blob.length) });
  res.end(blob);
}

function client(creds?: Credentials): HttpRegistryClient {
  return new HttpRegistryClient({
    log: silentLogger(),
    insecureRegistries: [],
    credentials: () => creds,
    nowMs: () => now,
    retryPolicy: { retries: 2, baseDelayMs: 5, maxDelayMs: 10, maxRetryAfterMs: 100 },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  registry = createServer(handleRegistry);
  tokens = createServer(handleTokens);
  cdn = createServer(handleCdn);
  host = await listen(registry);
  tokenUrl = `http://${await listen(tokens)}/token`;
  // "localhost" rather than 127.0.0.1: a different origin from the registry.
  cdnUrl = `http://${(await listen(cdn)).replace('127.0.0.1', 'localhost')}`;
});

afterAll(async () => {
  for (const s of [registry, tokens, cdn]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

beforeEach(() => {
  state = {
    tokenRequests: [],
    registryRequests: [],
    cdnRequests: [],
    issued: new Map(),
    expiresIn: 300,
    rejectAllTokens: false,
    redirectBlobs: false,
  };
});

describe('bearer token auth', () => {
  it('gets an anonymous token for the pull scope and reuses it while valid', async () => {
    const c = client();
    const ref = parseReference(`${host}/team/app:v1`);
    const first = await c.resolve(ref);
    expect(first.manifestDigest).toBe(sha(manifest));
    await c.resolve(ref);
    await c.fetchSmallBlob(ref, first.config);
    expect(state.tokenRequests).toEqual([
      { scopes: ['repository:team/app:pull'], authorization: undefined },
    ]);
    c.close();
  });

  it('refreshes a token shortly before it expires', async () => {
    state.expiresIn = 60;
    const c = client();
    const ref = parseReference(`${host}/app`);
    await c.resolve(ref);
    now += 45_000; // 15 s left: still used
    await c.resolve(ref);
    expect(state.tokenRequests).toHaveLength(1);
    now += 6_000; // 9 s left: inside the 10 s margin, refreshed
    await c.resolve(ref);
    expect(state.tokenRequests).toHaveLength(2);
    c.close();
  });

  it('fetches a new token once when a cached one is refused', async () => {
    const c = client();
    const ref = parseReference(`${host}/app`);
    await c.resolve(ref);
    state.issued.clear(); // the server forgets every token it issued
    await c.resolve(ref);
    expect(state.tokenRequests).toHaveLength(2);
    c.close();
  });

  it('does not loop when the registry refuses a fresh token', async () => {
    state.rejectAllTokens = true;
    const c = client();
    const err = await c.resolve(parseReference(`${host}/app:v1`)).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
    expect(state.tokenRequests.length).toBeLessThanOrEqual(2);
    expect(state.registryRequests.length).toBeLessThanOrEqual(4);
    c.close();
  });

  it('sends credentials to the token service and reports wrong ones', async () => {
    state.requiredPassword = 'pw';
    const ok = client({ username: 'user', password: 'pw' });
    await ok.resolve(parseReference(`${host}/app`));
    expect(state.tokenRequests[0]!.authorization).toBe(
      `Basic ${Buffer.from('user:pw').toString('base64')}`,
    );
    await ok.login(host, { username: 'user', password: 'pw' });
    const bad = client({ username: 'user', password: 'nope' });
    const err = await bad.resolve(parseReference(`${host}/app`)).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('REGISTRY_UNAUTHORIZED');
    const login = await bad
      .login(host, { username: 'user', password: 'nope' })
      .catch((e: unknown) => e);
    expect((login as FlotillaError).code).toBe('REGISTRY_LOGIN_FAILED');
    ok.close();
    bad.close();
  });
});

describe('blob redirects', () => {
  it('follows a cross-origin redirect without sending Authorization there', async () => {
    state.redirectBlobs = true;
    const c = client();
    const ref = parseReference(`${host}/app`);
    const resolved = await c.resolve(ref);
    const bytes = await readAll(c.openBlob(ref, resolved.layers[0]!));
    expect(bytes.equals(layer)).toBe(true);
    expect(state.cdnRequests).toHaveLength(1);
    expect(state.cdnRequests[0]!.authorization).toBeUndefined();
    const blobGet = state.registryRequests.find((r) => r.url.includes('/blobs/'));
    expect(blobGet?.authorization).toMatch(/^Bearer /);
    c.close();
  });
});

describe('descriptor validation', () => {
  it('fails the blob stream, not the call, for a descriptor with an unsafe digest', async () => {
    const c = client();
    const stream = c.openBlob(parseReference(`${host}/app`), {
      mediaType: mediaTypes.dockerLayerGzip,
      digest: 'sha256:../../etc/passwd',
      size: 1,
    });
    const err = await readAll(stream).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('MANIFEST_INVALID');
    expect(state.registryRequests).toHaveLength(0);
    c.close();
  });
});

describe('manifest checks', () => {
  const ref = () => parseReference(`${host}/app:v1`);
  const codeOf = async (c: HttpRegistryClient) =>
    ((await c.resolve(ref()).catch((e: unknown) => e)) as FlotillaError).code;

  it('refuses manifests over 4 MiB', async () => {
    state.manifestOverride = {
      body: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20),
      contentType: mediaTypes.dockerManifest,
    };
    const c = client();
    expect(await codeOf(c)).toBe('MANIFEST_TOO_LARGE');
    c.close();
  });

  it('refuses a manifest whose Docker-Content-Digest disagrees with its bytes', async () => {
    state.manifestOverride = {
      body: manifest,
      contentType: mediaTypes.dockerManifest,
      digestHeader: sha(Buffer.from('other')),
    };
    const c = client();
    expect(await codeOf(c)).toBe('MANIFEST_DIGEST_MISMATCH');
    c.close();
  });

  it('refuses schema1 manifests clearly', async () => {
    state.manifestOverride = {
      body: Buffer.from('{"schemaVersion":1,"name":"app","tag":"v1","fsLayers":[]}'),
      contentType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
    };
    const c = client();
    const err = (await c.resolve(ref()).catch((e: unknown) => e)) as FlotillaError;
    expect(err.code).toBe('UNSUPPORTED_MANIFEST');
    expect(err.message).toContain('schema1');
    c.close();
  });

  it('detects the type from the body when Content-Type is generic', async () => {
    state.manifestOverride = { body: manifest, contentType: 'application/json' };
    const c = client();
    const resolved = await c.resolve(ref());
    expect(resolved.manifestMediaType).toBe(mediaTypes.dockerManifest);
    c.close();
  });

  it('refuses a body whose mediaType disagrees with Content-Type', async () => {
    state.manifestOverride = { body: manifest, contentType: mediaTypes.ociManifest };
    const c = client();
    expect(await codeOf(c)).toBe('MANIFEST_INVALID');
    c.close();
  });

  it('sends all four manifest types in Accept on HEAD as on GET', async () => {
    const c = client();
    const head = await c.headManifest(ref());
    expect(head.digest).toBe(sha(manifest));
    expect(head.mediaType).toBe(mediaTypes.dockerManifest);
    c.close();
  });
});
