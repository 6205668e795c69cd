// Sealing one secret's data: AES-256-GCM under the cluster's secrets data key, with the secret's id
// as additional data, so a sealed value copied onto another secret's document does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const aad = (secretId: string) => Buffer.from(`flotilla-secret:${secretId}`);

/** base64(iv ‖ tag ‖ ciphertext). */
export function sealSecretData(key: Buffer, secretId: string, data: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(secretId));
  const body = Buffer.concat([c.update(data), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
}

/** @throws when the key or the id does not match (GCM authentication). */
export function openSecretData(key: Buffer, secretId: string, sealed: string): Buffer {
  const b = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAAD(aad(secretId));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]);
}
