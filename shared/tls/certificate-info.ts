// Reading certificates with Node's own X509Certificate: validity, which key signed a certificate,
// and PEM bundles (a leaf with its cross-signed intermediate, a trust bundle of several roots).
import { X509Certificate, createHash } from 'node:crypto';

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Each certificate of a PEM bundle, in order, as its own PEM text (with a final newline). */
export function splitPemBundle(pem: string): string[] {
  return (pem.match(pemBlock) ?? []).map((b) => b + '\n');
}

/** Validity of the first certificate in `pem`. */
export function certificateValidity(pem: string): { notBefore: Date; notAfter: Date } {
  const c = new X509Certificate(firstCertificate(pem));
  return { notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) };
}

/** Validity of the first certificate in `pem`, or undefined when it is not a certificate. */
export function tryCertificateValidity(
  pem: string,
): { notBefore: Date; notAfter: Date } | undefined {
  try {
    return certificateValidity(pem);
  } catch {
    return undefined;
  }
}

/** sha256 of a certificate's public key (SPKI DER), hex: names a CA key across cross-signing. */
export function publicKeyDigest(certPem: string): string {
  const c = new X509Certificate(firstCertificate(certPem));
  const der = c.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/**
 * The public-key digest of the CA key that signed the first certificate of `chainPem`, looked for
 * among the rest of the chain and the `trustPem` roots; undefined when none of them did.
 */
export function issuerKeyDigest(chainPem: string, trustPem: string): string | undefined {
  const [leaf, ...rest] = splitPemBundle(chainPem);
  if (!leaf) return undefined;
  const cert = new X509Certificate(leaf);
  for (const candidate of [...rest, ...splitPemBundle(trustPem)]) {
    const ca = new X509Certificate(candidate);
    if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) return publicKeyDigest(candidate);
  }
  return undefined;
}

/** sha256 of each certificate's DER in a trust bundle, hex, in order (what join tokens carry). */
export function bundleDigests(trustPem: string): string[] {
  return splitPemBundle(trustPem).map((p) =>
    createHash('sha256').update(new X509Certificate(p).raw).digest('hex'),
  );
}

function firstCertificate(pem: string): string {
  const first = splitPemBundle(pem)[0];
  if (!first) throw new Error('no PEM certificate found');
  return first;
}
