// A stand-in for a manager's GET /ca and POST /join on loopback, presenting the certificate a test
// chooses (a manager's, a worker's, one of another CA), to check what join clients accept.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  certificateDigest,
  createCsr,
  createRootCertificate,
  generateKeyPair,
  signLeaf,
} from '../../manager/ca/pki.js';

export interface TestCa {
  certPem: string;
  keys: Awaited<ReturnType<typeof generateKeyPair>>['keys'];
}

export async function testCa(name = 'test-ca'): Promise<TestCa> {
  const { keys } = await generateKeyPair();
  return { certPem: await createRootCertificate(name, 'flotilla', keys), keys };
}

/** A key and a certificate of `ca` with CN=cn and OU=role, valid for 127.0.0.1. */
export async function testLeaf(ca: TestCa, role: string, cn: string) {
  const { keys, keyPem } = await generateKeyPair();
  const certPem = await signLeaf({
    csrPem: await createCsr(`CN=${cn}`, keys),
    subject: `CN=${cn}, OU=${role}, O=cluster`,
    caCertPem: ca.certPem,
    caKey: ca.keys.privateKey,
    validDays: 1,
    altNames: { ips: ['127.0.0.1'], dns: ['localhost'] },
  });
  return { certPem, keyPem };
}

export interface FakeJoinServer {
  /** host:port of the "gRPC" address joiners are given (the API is this port + 1). */
  joinAddr: string;
  /** A join token of the CA that GET /ca answers with. */
  token: string;
  /** Bodies of the POST /join requests that reached the server. */
  joins: string[];
  close(): Promise<void>;
}

/** Serves `ca` at GET /ca and answers POST /join, presenting `serverCert`. */
export async function startFakeJoinServer(opts: {
  ca: TestCa;
  serverCert: { certPem: string; keyPem: string };
}): Promise<FakeJoinServer> {
  const joins: string[] = [];
  const server: Server = createServer(
    { key: opts.serverCert.keyPem, cert: opts.serverCert.certPem },
    (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/ca') {
          res.end(JSON.stringify({ caCertPem: opts.ca.certPem }));
          return;
        }
        joins.push(body);
        res.end(
          JSON.stringify({
            nodeId: 'n'.repeat(25),
            certPem: opts.serverCert.certPem,
            caCertPem: opts.ca.certPem,
            role: 'manager',
          }),
        );
      });
    },
  );
  // Port 1 is never handed out, so port - 1 (the join address) is a valid port too.
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    joinAddr: `127.0.0.1:${port - 1}`,
    token: `FLT-1-${certificateDigest(opts.ca.certPem)}-${'s'.repeat(25)}`,
    joins,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
