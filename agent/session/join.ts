// Joining a cluster (first start with --join ADDR --token T): fetch the cluster CA from the
// manager's API port (gRPC port + 1), check it against the digest in the token before trusting
// anything, then send a CSR with the token's secret, only to a server with a manager certificate
// of that CA, and receive the node certificate.
import { request } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { FlotillaError, isFlotillaError } from '../../shared/errors/index.js';
import { managerServerCheck } from '../../shared/tls/index.js';
import type { NodeIdentity } from './identity.js';
import { certificateDigest, newKeyAndCsr } from './pki.js';

export function parseJoinToken(token: string): { caDigest: string; secret: string } {
  const m = /^FLT-1-([0-9a-f]{64})-([a-z0-9]{25})$/.exec(token.trim());
  if (!m)
    throw new FlotillaError('JOIN_TOKEN_INVALID', { reason: 'expected FLT-1-<digest>-<secret>' });
  return { caDigest: m[1], secret: m[2] };
}

/** ADDR:4242 (gRPC) → https://ADDR:4243 (the API, where /ca and /join live). */
export function apiBaseUrl(grpcAddress: string): string {
  const m = /^(.*):(\d+)$/.exec(grpcAddress);
  if (!m)
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag: '--join',
      value: grpcAddress,
      reason: 'expected HOST:PORT',
    });
  return `https://${m[1]}:${Number(m[2]) + 1}`;
}

function httpsJson(
  url: string,
  opts: { method: 'GET' | 'POST'; body?: unknown; ca?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: opts.method,
        // Only the CA fetch goes out unverified; its answer is checked against the token. The
        // token goes only to a manager of that CA (a node certificate of it is not enough).
        ...(opts.ca
          ? { ca: opts.ca, checkServerIdentity: managerServerCheck(url, checkServerIdentity) }
          : { rejectUnauthorized: false }),
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

export async function joinCluster(opts: {
  address: string;
  token: string;
  hostname: string;
}): Promise<NodeIdentity> {
  const { caDigest } = parseJoinToken(opts.token);
  const base = apiBaseUrl(opts.address);
  const fail = (reason: string, cause?: unknown) =>
    new FlotillaError('NODE_JOIN_FAILED', { address: opts.address, reason }, { cause });

  let ca;
  try {
    ca = await httpsJson(`${base}/ca`, { method: 'GET' });
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  const caCertPem = String(ca.body.caCertPem ?? '');
  if (!caCertPem) throw fail(`GET /ca answered ${ca.status} without a certificate`);
  if (certificateDigest(caCertPem) !== caDigest)
    throw new FlotillaError('JOIN_CA_MISMATCH', { address: opts.address });

  const { keyPem, csrPem } = await newKeyAndCsr(opts.hostname);
  let res;
  try {
    res = await httpsJson(`${base}/join`, {
      method: 'POST',
      body: { token: opts.token, csrPem, hostname: opts.hostname },
      ca: caCertPem,
    });
  } catch (err) {
    if (isFlotillaError(err)) throw err;
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  if (res.status !== 200) {
    // The manager answers errors as { code, kind, message, hint }: keep its code (e.g. JOIN_TOKEN_REJECTED).
    if (typeof res.body.code === 'string')
      throw FlotillaError.fromJSON(
        res.body as unknown as Parameters<typeof FlotillaError.fromJSON>[0],
      );
    throw fail(`POST /join answered ${res.status}`);
  }
  return {
    nodeId: String(res.body.nodeId),
    certPem: String(res.body.certPem),
    keyPem,
    caCertPem: String(res.body.caCertPem ?? caCertPem),
    managers: [opts.address],
  };
}
