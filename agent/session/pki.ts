// The node's own key and certificate request. The key never leaves the node: the manager signs a
// CSR and answers with a certificate whose CN is the node id.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A fresh ECDSA P-256 key (PKCS#8 PEM) and a CSR for it. */
export async function newKeyAndCsr(hostname: string): Promise<{ keyPem: string; csrPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ecdsa, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    // The manager replaces the subject with the node id; the hostname only helps humans reading logs.
    name: `CN=${hostname.replace(/[,=+<>#;"\\]/g, '_') || 'node'}`,
    keys: keys as unknown as Parameters<
      typeof x509.Pkcs10CertificateRequestGenerator.create
    >[0]['keys'],
    signingAlgorithm: ecdsa,
  });
  return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), csrPem: csr.toString('pem') };
}

/** sha256 of a certificate's DER, hex: what a join token carries. */
export function certificateDigest(certPem: string): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(certPem));
  return createHash('sha256').update(der).digest('hex');
}

/** The CN of a certificate (the node id for node certificates). */
export function certificateCommonName(certPem: string): string {
  const cert = new x509.X509Certificate(certPem);
  return cert.subjectName.getField('CN')[0] ?? '';
}
