// Sizes written as Docker writes them: "512m", "1.5G", "100k", "1024" (bytes). Binary multiples,
// as docker's RAMInBytes: k=1024, m=1024², g=1024³ ...
import { FlotillaError } from '../errors/index.js';

const mult: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

export function parseBytes(text: string | number, field = 'size'): number {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return Math.floor(text);
  const s = String(text).trim();
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtpb]?)(?:i?b)?$/i.exec(s);
  if (!m) throw new FlotillaError('INVALID_SIZE', { field, value: s });
  return Math.floor(parseFloat(m[1]) * mult[m[2].toLowerCase()]);
}

/**
 * Human size as `docker images` prints it (decimal units: 7.5MB, 1.2GB); `docker system df` uses
 * go-units' HumanSize, 4 significant digits (16.43MB).
 */
export function formatBytes(n: number, precision = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toPrecision(precision))}${units[i]}`;
}

/**
 * Memory as `docker stats` prints it (go-units BytesSize: binary units, 4 significant digits):
 * 64MiB, 276.4KiB, 23.55GiB.
 */
export function formatBinaryBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}
