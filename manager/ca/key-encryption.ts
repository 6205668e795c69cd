// The CA key rests in etcd encrypted with AES-256-GCM; the key-encryption key stays on each
// manager's disk (<data-root>/ca.key-encryption-key, 0600), so reading etcd alone is not enough.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export function newKeyEncryptionKey(): Buffer {
  return randomBytes(32);
}

export function readKeyEncryptionKey(file: string): Buffer | undefined {
  if (!existsSync(file)) return undefined;
  const k = readFileSync(file);
  if (k.length !== 32) throw new Error(`${file} must hold 32 bytes`);
  return k;
}

export function writeKeyEncryptionKey(file: string, key: Buffer): void {
  writeFileSync(file, key, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** base64(iv ‖ tag ‖ ciphertext). */
export function encrypt(kek: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek, iv);
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
}

export function decrypt(kek: Buffer, sealed: string): string {
  const b = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', kek, b.subarray(0, 12));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
}
