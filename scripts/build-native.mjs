// Compiles the agent's native helpers into dist/native/, static (flotilla-probe runs inside
// containers that may have no libc):
//   flotilla-probe  (agent/runtime/health/probe-helper.c): health checks; without it the agent
//                   runs them with `runc exec`.
//   flotilla-fsroot (agent/runtime/container/fsroot-helper.c): kernel-confined path resolution for
//                   `cp`; without it the agent refuses copies to and from containers.
// Without a C compiler it warns and leaves them out.
//   node scripts/build-native.mjs        (part of `npm run build`; skipped when up to date)
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';

const helpers = [
  ['../agent/runtime/health/probe-helper.c', 'flotilla-probe', 'health checks will use runc exec'],
  [
    '../agent/runtime/container/fsroot-helper.c',
    'flotilla-fsroot',
    'cp to and from containers is refused',
  ],
];
const outDir = new URL('../dist/native/', import.meta.url).pathname;
const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;

for (const [src, name, without] of helpers) {
  const source = new URL(src, import.meta.url).pathname;
  const out = `${outDir}${name}`;
  if (mtime(out) >= mtime(source)) continue;
  mkdirSync(outDir, { recursive: true });
  const cc = process.env.CC || 'gcc';
  try {
    execFileSync(cc, ['-static', '-Os', '-s', '-Wall', '-Wextra', '-o', out, source], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (err) {
    process.stderr.write(`warning: ${name} not built (${cc}: ${err.message}); ${without}\n`);
  }
}
