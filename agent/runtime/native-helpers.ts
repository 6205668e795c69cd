// Where `npm run build` puts the agent's native helpers (native/: flotilla-probe, flotilla-fsroot),
// seen from this module in each layout that loads it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built helper NAME, or undefined when it is not built. */
export function builtHelper(name: string): string | undefined {
  const candidates = [
    `../../native/${name}`, // dist/agent/runtime/
    `../native/${name}`, // dist/cli-bundle/
    `../../dist/native/${name}`, // the sources (vitest), or a one-file bundle in <repo>/.test-build/<name>/
  ];
  return candidates
    .map((c) => fileURLToPath(new URL(c, import.meta.url)))
    .find((p) => existsSync(p));
}
