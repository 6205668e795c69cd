// X.509 plumbing on @peculiar/x509 with Node's WebCrypto: ECDSA P-256 keys, a self-signed root,
// CSRs and leaf certificates. No policy here (who gets what): that is cluster-ca.ts.
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto types (the DOM lib is not loaded in this project).
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const subtle = webcrypto.subtle;

export interface KeyPairPem {
  keyPem: string;
  keys: CryptoKeyPair;
}

export async function generateKeyPair(): Promise<KeyPairPem> {
  const keys = (await subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export async function importPrivateKey(keyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  return subtle.importKey('pkcs8', der, ecdsa, true, ['sign']) as Promise<CryptoKey>;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
}

function days(n: number): Date {
  return new Date(Date.now() + n * 86_400_000);
}

export async function createRootCertificate(commonName: string, org: string, keys: CryptoKeyPair) {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=${org}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: days(3650),
    signingAlgorithm: ecdsa,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem');
}

export async function createCsr(subject: string, keys: CryptoKeyPair): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: ecdsa,
  });
  return csr.toString('pem');
}

export interface LeafRequest {
  csrPem: string;
  subject: string;
  caCertPem: string;
  caKey: CryptoKey;
  validDays: number;
  /** IPs and DNS names for server certificates. */
  altNames?: { ips: string[]; dns: string[] };
}

/** Signs a leaf certificate for the CSR's key; the subject is ours, never the CSR's. */
export async function signLeaf(req: LeafRequest): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(req.csrPem);
  if (!(await csr.verify())) throw new Error('the CSR signature does not verify');
  const ca = new x509.X509Certificate(req.caCertPem);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
  ];
  if (req.altNames) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...req.altNames.ips.map((value) => ({ type: 'ip' as const, value })),
        ...req.altNames.dns.map((value) => ({ type: 'dns' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: req.subject,
    issuer: ca.subject,
    // Five minutes of clock skew: more would shift the renewal point (a share of the lifetime).
    notBefore: new Date(Date.now() - 300_000),
    notAfter: days(req.validDays),
    signingAlgorithm: ecdsa,
    publicKey: csr.publicKey,
    signingKey: req.caKey,
    extensions,
  });
  return cert.toString('pem');
}

/** sha256 of the certificate's DER, hex: what join tokens carry. */
export function certificateDigest(certPem: string): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(certPem));
  return createHash('sha256').update(der).digest('hex');
}

/** The subject fields Flotilla uses: CN = node id, OU = role, O = cluster id. */
export function subjectOf(certPem: string): { cn: string; ou: string; o: string } {
  const cert = new x509.X509Certificate(certPem);
  const name = new x509.Name(cert.subject).toJSON();
  const pick = (k: string) => name.flatMap((rdn) => rdn[k] ?? [])[0] ?? '';
  return { cn: pick('CN'), ou: pick('OU'), o: pick('O') };
}

/** True when certPem was signed by the CA and is within its validity period. */
export async function verifyIssuedBy(certPem: string, caCertPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caCertPem);
  return cert.verify({ publicKey: ca.publicKey, date: new Date() });
}
