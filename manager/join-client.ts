// How a manager joins an existing cluster: fetch the CA from a running manager, check it against
// the token's digest, then ask for a certificate with this manager's seal public key (POST /join)
// from a server that proves it is a manager of that CA (OU=manager, CN = a manager id): the
// answering manager seals the CA key-encryption key for it in the cluster object.
import { request } from 'node:https';
import { FlotillaError, isFlotillaError } from '../shared/errors/index.js';
import { managerServerCheck } from '../shared/tls/index.js';
import { certificateDigest, createCsr, generateKeyPair, parseToken } from './ca/index.js';
import { apiAddrForGrpc, hostPort } from './config.js';

export interface JoinResult {
  nodeId: string;
  certPem: string;
  keyPem: string;
  caCertPem: string;
  /** With the embedded etcd: the learner added for this manager, and the etcd CA sealed for it. */
  etcd?: EtcdJoinAnswer;
}

export interface EtcdJoinAnswer {
  memberId: string;
  initialCluster: string;
  clientUrls: string[];
  /** JSON { caCertPem, caKeyPem } sealed for the joiner's seal key (manager/ca/seal.ts). */
  caSealed: string;
}

export async function joinAsManager(
  joinAddr: string,
  token: string,
  sealPublicKeyPem: string,
  /** The embedded etcd's peer URL: the answering manager adds it as a member. */
  etcdPeerUrl?: string,
): Promise<JoinResult> {
  const t = parseToken(token);
  if (!t) throw new FlotillaError('JOIN_TOKEN_REJECTED', { reason: 'not a Flotilla join token' });
  const api = apiAddrForGrpc(joinAddr);
  const ca = await call<{ caCertPem: string }>(api, 'GET', '/ca');
  if (certificateDigest(ca.caCertPem) !== t.caDigest)
    throw new FlotillaError('JOIN_CA_MISMATCH', { address: api });
  const { keys, keyPem } = await generateKeyPair();
  const csrPem = await createCsr('CN=manager', keys);
  const res = await call<Omit<JoinResult, 'keyPem'> & { role: string }>(
    api,
    'POST',
    '/join',
    { token, csrPem, sealPublicKeyPem, ...(etcdPeerUrl ? { etcdPeerUrl } : {}) },
    ca.caCertPem,
  );
  if (res.role !== 'manager')
    throw new FlotillaError('JOIN_TOKEN_REJECTED', { reason: 'this is a worker token' });
  if (etcdPeerUrl && !res.etcd)
    throw new FlotillaError('ETCD_JOIN_REFUSED', {
      reason: `the manager at ${api} added no etcd member (a version without embedded etcd membership)`,
      hint: 'upgrade that manager, or join with --etcd pointing at its etcd',
    });
  return { ...res, keyPem };
}

function call<T>(
  addr: string,
  method: string,
  path: string,
  body?: unknown,
  caPem?: string,
): Promise<T> {
  const [host, port] = hostPort(addr);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        method,
        path,
        // First contact trusts nothing and checks the digest; after that, only a manager
        // certificate of the cluster CA (any address: managers may be reached through NAT).
        ...(caPem
          ? { ca: caPem, checkServerIdentity: managerServerCheck(addr) }
          : { rejectUnauthorized: false }),
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
          : {},
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const json = JSON.parse(text);
            if ((res.statusCode ?? 500) >= 300) reject(FlotillaError.fromJSON(json));
            else resolve(json as T);
          } catch (err) {
            reject(
              new FlotillaError(
                'MANAGER_UNREACHABLE',
                { address: addr, reason: text.slice(0, 100) },
                { cause: err },
              ),
            );
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) =>
      reject(
        // JOIN_SERVER_NOT_MANAGER from the identity check, as it is.
        isFlotillaError(err)
          ? err
          : new FlotillaError(
              'MANAGER_UNREACHABLE',
              { address: addr, reason: err.message },
              { cause: err },
            ),
      ),
    );
    req.end(payload);
  });
}
