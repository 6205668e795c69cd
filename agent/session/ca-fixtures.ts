// A small certificate authority for agent unit tests (agent/ may not import manager/ca): a root and
// leaves with the subject the cluster CA uses (CN = node id, OU = role).
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
type Keys = webcrypto.CryptoKeyPair;

const serial = () =>
  randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

export class TestCa {
  private constructor(
    readonly caCertPem: string,
    private readonly keys: Keys,
  ) {}

  static async create(): Promise<TestCa> {
    const keys = (await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as Keys;
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: 'CN=test-root',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() + 3650 * 86_400_000),
      signingAlgorithm: ecdsa,
      keys: keys as never,
      extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
    });
    return new TestCa(root.toString('pem'), keys);
  }

  /** Signs a CSR; `validity` defaults to 90 days from five minutes ago. */
  async issueNodeCertificate(
    csrPem: string,
    role: string,
    nodeId: string,
    validity = { notBefore: new Date(Date.now() - 300_000), lifetimeMs: 90 * 86_400_000 },
  ): Promise<{ certPem: string; caCertPem: string }> {
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${nodeId}, OU=${role}`,
      issuer: 'CN=test-root',
      notBefore: validity.notBefore,
      notAfter: new Date(validity.notBefore.getTime() + validity.lifetimeMs),
      signingAlgorithm: ecdsa,
      publicKey: csr.publicKey,
      signingKey: this.keys.privateKey as never,
    });
    return { certPem: cert.toString('pem'), caCertPem: this.caCertPem };
  }

  /** A key and a certificate for it. */
  async issueKeyAndCertificate(
    role: string,
    nodeId: string,
    validity?: { notBefore: Date; lifetimeMs: number },
  ): Promise<{ certPem: string; keyPem: string; caCertPem: string }> {
    const { newKeyAndCsr } = await import('./pki.js');
    const { keyPem, csrPem } = await newKeyAndCsr(nodeId);
    return { keyPem, ...(await this.issueNodeCertificate(csrPem, role, nodeId, validity)) };
  }
}
