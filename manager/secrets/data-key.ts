// The secrets data key: 32 random bytes in the cluster object, sealed under the key-encryption key
// (KEK) that every manager holds (docs/decisions/0012). A KEK rotation seals it again in the same
// write (kek-keeper.ts), so stored secrets never need rewriting. Made with the first secret.
import { randomBytes } from 'node:crypto';
import { FlotillaError } from '../../shared/errors/index.js';
import { decrypt, encrypt, type ClusterSettings, type KekSource } from '../ca/index.js';
import { newId, type StoreCore } from '../store/index.js';

export interface SecretsKeySource {
  /** The key new secrets are sealed under (made and stored on first use). */
  current(): Promise<{ id: string; key: Buffer }>;
  /** The key of generation `keyId`, for opening a stored secret. */
  open(keyId: string): Buffer;
}

export class SecretsKeyring implements SecretsKeySource {
  /** Cache: the sealed text and KEK it was opened with, so a rotation of either is noticed. */
  private opened?: { sealed: string; kek: Buffer; id: string; key: Buffer };
  private cluster?: ClusterSettings;

  constructor(private readonly deps: { store: StoreCore; kek: KekSource }) {
    deps.store.onCluster((c) => (this.cluster = c as ClusterSettings | undefined));
  }

  async current(): Promise<{ id: string; key: Buffer }> {
    if (!this.cluster?.secretsKey) {
      const kek = this.deps.kek.current();
      await this.deps.store.updateCluster((cur) => {
        const c = cur as ClusterSettings;
        if (c.secretsKey) return c;
        const sealed = encrypt(kek, randomBytes(32).toString('base64'));
        return { ...c, secretsKey: { id: newId(), sealed } };
      });
      this.cluster = (await this.deps.store.getCluster()) as ClusterSettings;
    }
    const sk = this.cluster.secretsKey!;
    return { id: sk.id, key: this.open(sk.id) };
  }

  open(keyId: string): Buffer {
    const sk = this.cluster?.secretsKey;
    if (!sk || sk.id !== keyId)
      throw new FlotillaError('SECRET_KEY_UNAVAILABLE', { reason: `no data key ${keyId}` });
    const kek = this.deps.kek.current();
    const o = this.opened;
    if (o && o.sealed === sk.sealed && o.kek.equals(kek) && o.id === sk.id) return o.key;
    let key: Buffer;
    try {
      key = Buffer.from(decrypt(kek, sk.sealed), 'base64');
    } catch (err) {
      // The cluster object may be ahead of this manager's KEK for a moment during a rotation.
      throw new FlotillaError(
        'SECRET_KEY_UNAVAILABLE',
        { reason: 'the key-encryption key does not open it (a rotation in progress?)' },
        { cause: err },
      );
    }
    this.opened = { sealed: sk.sealed, kek, id: sk.id, key };
    return key;
  }
}
