// The cross-signed intermediate of a CA rotation: the new root's name and key, signed by the old
// root's key. A leaf of the new root sent with it verifies against either root, so nodes that still
// trust only the old root keep talking to managers that already serve new certificates.
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded first; pki.ts sets
// its WebCrypto provider.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import './pki.js';
import type { CryptoKey } from './pki.js';

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function crossSign(
  newRootPem: string,
  oldRootPem: string,
  oldRootKey: CryptoKey,
): Promise<string> {
  const next = new x509.X509Certificate(newRootPem);
  const old = new x509.X509Certificate(oldRootPem);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const notAfter = next.notAfter < old.notAfter ? next.notAfter : old.notAfter;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: next.subject,
    issuer: old.subject,
    notBefore: next.notBefore,
    notAfter,
    signingAlgorithm: ecdsa,
    publicKey: next.publicKey,
    signingKey: oldRootKey,
    extensions: [
      // An intermediate whose only children are leaves.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(next.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(old.publicKey),
    ],
  });
  return cert.toString('pem');
}
