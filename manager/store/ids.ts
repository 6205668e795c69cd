// Object ids as Swarm makes them: 25 lowercase base-36 characters from 128 random bits.
import { randomBytes } from 'node:crypto';

export function newId(): string {
  const n = BigInt('0x' + randomBytes(16).toString('hex'));
  return n.toString(36).padStart(25, '0').slice(-25);
}
