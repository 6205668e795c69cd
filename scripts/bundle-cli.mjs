// Bundles the compiled CLI (dist/cli/main.js, from `tsc`) into dist/cli-bundle/: our modules merged
// into a few chunks, the lazily loaded command groups kept as separate chunks, npm packages and
// node: built-ins left as imports. Node resolves and loads ~10 files instead of ~150 for a command
// such as `run` or `ps`, which saves ~20 ms per invocation on the development host (2 cores).
// bin/flotilla runs the client commands from here; `agent` and `manager` run from dist/cli, where
// the files their modules load by relative path (protos, seccomp profile, extract worker) live.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

const outDir = new URL('../dist/cli-bundle/', import.meta.url).pathname;
rmSync(outDir, { recursive: true, force: true });
await build({
  input: new URL('../dist/cli/main.js', import.meta.url).pathname,
  platform: 'node',
  // Bare specifiers are npm packages or built-ins: loaded from node_modules as usual.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  logLevel: 'warn',
  output: { dir: outDir, format: 'esm', sourcemap: false },
});
