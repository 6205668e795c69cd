// Compiles the agent's native helper, flotilla-probe (agent/runtime/health/probe-helper.c), into
// dist/native/: static, because it runs inside containers that may have no libc. Without a C
// compiler it warns and leaves it out; the agent then runs health checks with `runc exec`.
//   node scripts/build-native.mjs        (part of `npm run build`; skipped when up to date)
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';

const source = new URL('../agent/runtime/health/probe-helper.c', import.meta.url).pathname;
const outDir = new URL('../dist/native/', import.meta.url).pathname;
const out = `${outDir}flotilla-probe`;

const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (mtime(out) < mtime(source)) {
  mkdirSync(outDir, { recursive: true });
  const cc = process.env.CC || 'gcc';
  try {
    execFileSync(cc, ['-static', '-Os', '-s', '-Wall', '-Wextra', '-o', out, source], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (err) {
    process.stderr.write(
      `warning: flotilla-probe not built (${cc}: ${err.message}); health checks will use runc exec\n`,
    );
  }
}
