// Sealing the CA key-encryption key (KEK) for one manager: X25519 with a throw-away key, HKDF and
// AES-256-GCM (an ECIES box), so that only the holder of that manager's seal key can open it. Also
// the unlock key of autolock, which seals a manager's seal key on its disk.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { decrypt, encrypt } from './key-encryption.js';

export interface SealKey {
  /** PKCS#8 PEM: stays on this manager's disk (0600, or sealed under the unlock key). */
  privateKeyPem: string;
  /** SPKI PEM: stored in the cluster object beside the KEK sealed for it. */
  publicKeyPem: string;
}

export function newSealKey(): SealKey {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem))
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

function boxKey(shared: Buffer, ephemeralPub: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, ephemeralPub, 'flotilla-kek-seal-1', 32));
}

/** base64(JSON{ e: ephemeral public key DER, b: AES-GCM box }): opened only by the seal key. */
export function sealFor(publicKeyPem: string, secret: Buffer): string {
  const eph = generateKeyPairSync('x25519');
  const ephDer = eph.publicKey.export({ type: 'spki', format: 'der' });
  const shared = diffieHellman({
    privateKey: eph.privateKey,
    publicKey: createPublicKey(publicKeyPem),
  });
  const box = encrypt(boxKey(shared, ephDer), secret.toString('base64'));
  return Buffer.from(JSON.stringify({ e: ephDer.toString('base64'), b: box })).toString('base64');
}

export function openSealed(privateKeyPem: string, sealed: string): Buffer {
  const { e, b } = JSON.parse(Buffer.from(sealed, 'base64').toString('utf8')) as {
    e: string;
    b: string;
  };
  const ephDer = Buffer.from(e, 'base64');
  const shared = diffieHellman({
    privateKey: createPrivateKey(privateKeyPem),
    publicKey: createPublicKey({ key: ephDer, format: 'der', type: 'spki' }),
  });
  return Buffer.from(decrypt(boxKey(shared, ephDer), b), 'base64');
}

const unlockKeyPattern = /^FLTKEY-1-[A-Za-z0-9_-]{43}$/;

/** A new unlock key, shown to the operator once per rotation: FLTKEY-1-<32 random bytes>. */
export function newUnlockKey(): string {
  return `FLTKEY-1-${randomBytes(32).toString('base64url')}`;
}

export function isUnlockKey(text: string): boolean {
  return unlockKeyPattern.test(text.trim());
}

/** The AES key an unlock key stands for (the unlock key carries 256 random bits). */
export function unlockKeyBytes(unlockKey: string): Buffer {
  return createHash('sha256').update(`flotilla-unlock:${unlockKey.trim()}`).digest();
}
