// A one-file bundle of the CLI built from the TypeScript sources, for integration tests that run
// `flotilla` as a process without `npm run build`. Each harness names its own bundle; they live in
// <checkout>/.test-build/ (not node_modules, which git worktrees of this repository may share).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const repo = new URL('../../', import.meta.url).pathname;

/** Where the bundle called `name` is written by bundleCli(name). */
export function cliBundlePath(name: string): string {
  return join(repo, '.test-build', name, 'flotilla.mjs');
}

export async function bundleCli(name: string): Promise<void> {
  const out = cliBundlePath(name);
  const entry = join(out, '..', 'entry.ts');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(
    entry,
    `import { main } from '${repo}cli/main.ts';\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`,
  );
  await build({
    input: entry,
    platform: 'node',
    external: [/^[^./]/],
    output: { file: out, format: 'esm', codeSplitting: false } as never,
    logLevel: 'silent',
  });
  // The agent's native helper (health checks inside containers), when it is older than its source.
  execFileSync('node', [join(repo, 'scripts', 'build-native.mjs')], { stdio: 'inherit' });
}
