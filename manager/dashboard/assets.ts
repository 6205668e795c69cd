// The page's files (index.html, app.js, app.css), bundled at build time by
// scripts/bundle-dashboard.mjs into dist/dashboard/ and read from there once, with a gzip copy.
// Nothing is fetched at run time: the page loads only these three files from this manager.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FlotillaError } from '../../shared/errors/index.js';

export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

export const assetNames = ['index.html', 'app.js', 'app.css'] as const;
export type AssetName = (typeof assetNames)[number];

const types: Record<AssetName, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * dist/manager/dashboard/ (the build) → dist/dashboard/; manager/dashboard/ (tests that run the
 * sources) → dist/dashboard/ of the same checkout.
 */
export function defaultAssetDirs(): string[] {
  return [
    fileURLToPath(new URL('../../dashboard/', import.meta.url)),
    fileURLToPath(new URL('../../dist/dashboard/', import.meta.url)),
  ];
}

export class DashboardAssets {
  private loaded?: Map<AssetName, Asset>;

  constructor(private readonly dirs: string[] = defaultAssetDirs()) {}

  /** @throws DASHBOARD_NOT_BUILT when no directory holds the bundle. */
  get(name: AssetName): Asset {
    this.loaded ??= this.load();
    return this.loaded.get(name)!;
  }

  private load(): Map<AssetName, Asset> {
    const dir = this.dirs.find((d) => assetNames.every((n) => existsSync(d + n)));
    if (!dir) throw new FlotillaError('DASHBOARD_NOT_BUILT', { dirs: this.dirs.join(', ') });
    const out = new Map<AssetName, Asset>();
    for (const name of assetNames) {
      const body = readFileSync(dir + name);
      out.set(name, {
        type: types[name],
        body,
        gzip: gzipSync(body, { level: 9 }),
        etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
      });
    }
    return out;
  }
}
