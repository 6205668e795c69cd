// Holds this manager's copy of the CA key-encryption key (KEK): opens the entry sealed for this
// manager in the cluster object, follows rotations (a new kek.id), and keeps the seal key file on
// disk sealed under the unlock key while autolock is on. Autolock and rotation requests live here
// because they need the KEK; the CA itself (cluster-ca.ts) only needs it to start.
import { randomBytes } from 'node:crypto';
import { FlotillaError } from '../../shared/errors/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { StoreCore } from '../store/index.js';
import type { ClusterCa, KekSource } from './cluster-ca.js';
import type { ClusterSettings } from './cluster.js';
import { decrypt, encrypt } from './key-encryption.js';
import type { SealKeyFile } from './seal-key-file.js';
import { newUnlockKey, openSealed, type SealKey } from './seal.js';

/** The KEK sealed for `managerId` in the cluster object, opened; undefined when there is none. */
export function openOwnKek(c: ClusterSettings, managerId: string, sealKey: SealKey) {
  const entry = c.kek?.sealed[managerId];
  if (!entry) return undefined;
  return { kek: openSealed(sealKey.privateKeyPem, entry.sealed), id: c.kek!.id };
}

export class KekKeeper implements KekSource {
  private kek: Buffer;
  private kekId: string | undefined;
  /** The unlock key the seal key file is sealed under now (undefined: plain). */
  private fileUnlockKey: string | undefined;
  private off?: () => void;
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      store: StoreCore;
      managerId: string;
      sealKey: SealKey;
      file: SealKeyFile;
      log: Logger;
      /** The KEK this manager starts with and the id of its generation. */
      kek: Buffer;
      kekId?: string;
      /** The unlock key the file was opened with (a locked start), if any. */
      unlockKey?: string;
    },
  ) {
    this.kek = deps.kek;
    this.kekId = deps.kekId;
    this.fileUnlockKey = deps.unlockKey;
    this.log = deps.log.child({ component: 'kek' });
  }

  current(): Buffer {
    return this.kek;
  }

  async start(): Promise<void> {
    this.off = this.deps.store.onCluster((c) => {
      if (c) this.follow(c as ClusterSettings);
    });
  }

  async stop(): Promise<void> {
    this.off?.();
  }

  /** A new KEK generation, or autolock turned on/off or its key rotated: catch up. */
  private follow(c: ClusterSettings): void {
    try {
      if (c.kek && c.kek.id !== this.kekId) {
        const own = openOwnKek(c, this.deps.managerId, this.deps.sealKey);
        if (own) {
          this.kek = own.kek;
          this.kekId = own.id;
          this.log.info({ kekId: own.id }, 'key-encryption key changed');
        } else
          this.log.error({ kekId: c.kek.id }, 'no key-encryption key is sealed for this manager');
      }
      const unlockKey = c.autolock ? decrypt(this.kek, c.autolock.unlockKeySealed) : undefined;
      if (unlockKey !== this.fileUnlockKey) {
        this.deps.file.write(this.deps.sealKey, unlockKey);
        this.fileUnlockKey = unlockKey;
        this.log.info({ autolock: Boolean(unlockKey) }, 'seal key file rewritten');
      }
    } catch (err) {
      this.log.error({ err }, 'cannot follow the key-encryption key');
    }
  }

  /** `cluster update --rotate-key`: a new KEK, sealed for every manager in one write. */
  async rotate(ca: ClusterCa): Promise<void> {
    const next = randomBytes(32);
    const c = await ca.rotateKeyEncryptionKey(next, (cur) => {
      const unlockKey = this.unlockKeyOf(cur);
      // The secrets data key is sealed again too: secrets themselves need no rewrite.
      const secretsKey = cur.secretsKey && {
        id: cur.secretsKey.id,
        sealed: encrypt(next, decrypt(this.kek, cur.secretsKey.sealed)),
      };
      return {
        ...(unlockKey ? { autolock: { unlockKeySealed: encrypt(next, unlockKey) } } : {}),
        ...(secretsKey ? { secretsKey } : {}),
      };
    });
    this.follow(c);
  }

  /** Turns autolock on (returns the unlock key, the existing one if it was on) or off. */
  async setAutolock(on: boolean): Promise<string | undefined> {
    if (!on) {
      await this.deps.store.updateCluster((cur) => {
        const { autolock: _off, ...c } = cur as ClusterSettings;
        return c;
      });
      return undefined;
    }
    let key: string | undefined;
    await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      key = this.unlockKeyOf(c) ?? newUnlockKey();
      return { ...c, autolock: { unlockKeySealed: encrypt(this.kek, key) } };
    });
    return key;
  }

  unlockKey(c: ClusterSettings): string {
    const key = this.unlockKeyOf(c);
    if (!key) throw new FlotillaError('AUTOLOCK_DISABLED', {});
    return key;
  }

  async rotateUnlockKey(): Promise<string> {
    const key = newUnlockKey();
    await this.deps.store.updateCluster((cur) => {
      const c = cur as ClusterSettings;
      if (!c.autolock) throw new FlotillaError('AUTOLOCK_DISABLED', {});
      return { ...c, autolock: { unlockKeySealed: encrypt(this.kek, key) } };
    });
    return key;
  }

  private unlockKeyOf(c: ClusterSettings): string | undefined {
    return c.autolock ? decrypt(this.kek, c.autolock.unlockKeySealed) : undefined;
  }
}
