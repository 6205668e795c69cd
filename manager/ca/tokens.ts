// Join tokens: FLT-1-<sha256 of the CA certificate DER, hex>-<secret>. The joiner checks the CA it is
// shown against the digest; the manager checks the secret against the digest it stored.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newSecret(): string {
  return Array.from({ length: 25 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function formatToken(caDigest: string, secret: string): string {
  return `FLT-1-${caDigest}-${secret}`;
}

export function parseToken(token: string): { caDigest: string; secret: string } | undefined {
  const m = /^FLT-1-([0-9a-f]{64})-([a-z0-9]{25})$/.exec(token.trim());
  return m ? { caDigest: m[1], secret: m[2] } : undefined;
}

export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
