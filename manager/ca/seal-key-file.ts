// This manager's seal key on disk (<data-root>/manager-seal-key, 0600): the X25519 key that opens
// the KEK sealed for it in the cluster object. With autolock on, the file holds the key sealed
// under the unlock key instead, so nothing on this disk opens the KEK without the operator.
import { existsSync, readFileSync } from 'node:fs';
import { FlotillaError } from '../../shared/errors/index.js';
import { decrypt, encrypt } from './key-encryption.js';
import { publicKeyOf, unlockKeyBytes, type SealKey } from './seal.js';
import { writeFileAtomicSync } from '../../shared/fs/atomic.js';

export type SealKeyOnDisk =
  | { state: 'absent' }
  | { state: 'plain'; key: SealKey }
  | { state: 'locked'; open(unlockKey: string): SealKey };

export class SealKeyFile {
  constructor(readonly path: string) {}

  read(): SealKeyOnDisk {
    if (!existsSync(this.path)) return { state: 'absent' };
    const text = readFileSync(this.path, 'utf8');
    if (text.startsWith('-----BEGIN PRIVATE KEY-----'))
      return { state: 'plain', key: { privateKeyPem: text, publicKeyPem: publicKeyOf(text) } };
    const doc = JSON.parse(text) as { locked: number; sealed: string };
    return {
      state: 'locked',
      open: (unlockKey) => {
        let pem: string;
        try {
          pem = decrypt(unlockKeyBytes(unlockKey), doc.sealed);
        } catch (err) {
          throw new FlotillaError('UNLOCK_KEY_INVALID', { detail: '' }, { cause: err });
        }
        return { privateKeyPem: pem, publicKeyPem: publicKeyOf(pem) };
      },
    };
  }

  /** Writes the key, sealed under `unlockKey` when given; atomic (rename), 0600 from the start. */
  write(key: SealKey, unlockKey?: string): void {
    const body = unlockKey
      ? JSON.stringify({ locked: 1, sealed: encrypt(unlockKeyBytes(unlockKey), key.privateKeyPem) })
      : key.privateKeyPem;
    writeFileAtomicSync(this.path, body, { mode: 0o600 });
  }
}
