// Bundles the dashboard page (manager/dashboard/web) into dist/dashboard/: app.js (one minified
// ES module, TypeScript compiled by rolldown), app.css and index.html copied. No CDN, nothing
// fetched at run time; the manager serves these three files (manager/dashboard/assets.ts).
// Prints the page weight (bytes and gzip bytes) for docs/benchmarks.md.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'rolldown';

const src = new URL('../manager/dashboard/web/', import.meta.url).pathname;
// --out DIR: elsewhere than dist/dashboard (bench/dashboard/run.sh bundles into its own build).
const outArg = process.argv.indexOf('--out');
const outDir =
  outArg > 0
    ? process.argv[outArg + 1].replace(/\/?$/, '/')
    : new URL('../dist/dashboard/', import.meta.url).pathname;
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
await build({
  input: src + 'main.ts',
  platform: 'browser',
  // Sources import each other with the .js suffix, as the rest of the project.
  resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
  logLevel: 'warn',
  output: { file: outDir + 'app.js', format: 'esm', minify: true, sourcemap: false },
});
for (const f of ['index.html', 'app.css']) copyFileSync(src + f, outDir + f);
if (process.argv.includes('--weight')) {
  let raw = 0;
  let gz = 0;
  for (const f of ['index.html', 'app.js', 'app.css']) {
    const b = readFileSync(outDir + f);
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    console.log(
      JSON.stringify({ file: f, bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length }),
    );
  }
  console.log(JSON.stringify({ file: 'total', bytes: raw, gzipBytes: gz }));
}
