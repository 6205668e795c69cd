// Keys of encrypted overlay networks: rfc4106(gcm(aes)) keying material (16 bytes of AES-128 key
// and 4 of salt) with a random SPI, stored on the Network sealed (AES-256-GCM) under a key the CA
// derives for the purpose, never logged. Rotation appends a key and keeps the previous one, so
// nodes accept both while they switch to sending with the newest (no gap).
import { randomBytes, randomInt } from 'node:crypto';
import type { Network, OverlayKey } from '../../shared/model/index.js';
import { decrypt, encrypt } from '../ca/index.js';

/** What the Network document stores per key. */
export interface SealedKey {
  sealed: string;
  spi: number;
  generation: number;
  createdAt: string;
}

/** A network document as stored (keys of encrypted networks included). */
export type StoredNetwork = Network & {
  keys?: SealedKey[];
  /** `network rm` was asked while tasks still held addresses on it (reaper.ts finishes it). */
  removing?: boolean;
};

/** Keys to keep: the newest and the one before it (still accepted while nodes switch). */
const keptKeys = 2;

export function newSealedKey(sealingKey: Buffer, generation: number, nowMs: number): SealedKey {
  const key = randomBytes(20);
  const sealed = encrypt(sealingKey, key.toString('base64'));
  key.fill(0);
  // SPIs below 256 are reserved (RFC 4303).
  return {
    sealed,
    spi: randomInt(256, 2 ** 31),
    generation,
    createdAt: new Date(nowMs).toISOString(),
  };
}

/** The network's key list with a new key appended (the oldest beyond `keptKeys` dropped). */
export function rotatedKeys(n: StoredNetwork, sealingKey: Buffer, nowMs: number): SealedKey[] {
  const keys = n.keys ?? [];
  const generation = (keys.at(-1)?.generation ?? 0) + 1;
  return [...keys, newSealedKey(sealingKey, generation, nowMs)].slice(-keptKeys);
}

/** True when the newest key is older than `rotateMs` (or there is none). */
export function needsRotation(n: StoredNetwork, rotateMs: number, nowMs: number): boolean {
  if (!n.spec.encrypted) return false;
  const newest = n.keys?.at(-1);
  return !newest || nowMs - Date.parse(newest.createdAt) >= rotateMs;
}

/** The keys as the session sends them, oldest first. */
export function openKeys(n: StoredNetwork, sealingKey: Buffer): OverlayKey[] {
  return (n.keys ?? []).map((k) => ({
    key: Buffer.from(decrypt(sealingKey, k.sealed), 'base64'),
    spi: k.spi,
    generation: k.generation,
  }));
}

/** The network without its keys: what the API returns. */
export function withoutKeys(n: StoredNetwork): Network {
  const { keys: _keys, removing: _removing, ...rest } = n;
  return rest;
}
