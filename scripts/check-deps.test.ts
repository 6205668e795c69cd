// scripts/check-deps.mjs run on small planted trees: each rule fails on its violation and names it,
// and a tree that follows the rules passes.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'check-deps.mjs');
const run = promisify(execFile);
let root: string | undefined;

/** A tree that follows every rule; each test plants one violation in a copy of it. */
const cleanTree: Record<string, string> = {
  'shared/model/index.ts': "export type { Task } from './task.js';\n",
  'shared/model/task.ts': 'export interface Task { id: string }\n',
  'agent/index.ts': "export { runAgent } from './main.js';\n",
  'agent/main.ts':
    "import type { Task } from '../shared/model/index.js';\nexport const runAgent = (t?: Task) => t;\n",
  'agent/runtime/index.ts': "export type { Summary } from './types.js';\n",
  'agent/runtime/types.ts': 'export interface Summary { id: string }\n',
  'manager/index.ts': "export { runManager } from './main.js';\n",
  'manager/main.ts':
    "import { newId } from './store/index.js';\nexport const runManager = newId;\n",
  'manager/store/index.ts': "export { newId } from './ids.js';\n",
  'manager/store/ids.ts': "export const newId = () => 'x';\n",
  'manager/store/fixtures.ts': "export const taskFixture = { id: 't' };\n",
  'manager/store/ids.test.ts': "import { taskFixture } from './fixtures.js';\nvoid taskFixture;\n",
  'cli/main.ts': "import { runAgent } from '../agent/index.js';\nvoid runAgent;\n",
};

async function check(planted: Record<string, string>) {
  root = await mkdtemp(join(tmpdir(), 'check-deps-'));
  for (const [file, text] of Object.entries({ ...cleanTree, ...planted })) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [script, '--root', root]);
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('check-deps', () => {
  it('passes a tree that follows the rules', async () => {
    const { code, output } = await check({});
    expect(output).toContain('0 violation(s)');
    expect(code).toBe(0);
  });

  it('fails on an import cycle and prints it', async () => {
    const { code, output } = await check({
      'manager/store/core.ts': "import type { Op } from './tx.js';\nexport type Compare = Op;\n",
      'manager/store/tx.ts':
        "import type { Compare } from './core.js';\nexport type Op = Compare;\n",
    });
    expect(code).toBe(1);
    expect(output).toContain(
      'cycle: manager/store/core.ts -> manager/store/tx.ts -> manager/store/core.ts',
    );
  });

  it('counts a cycle hidden behind a dynamic import', async () => {
    const { code, output } = await check({
      'agent/executor/controller.ts': "export const load = () => import('./restore.js');\n",
      'agent/executor/restore.ts': "import { load } from './controller.js';\nvoid load;\n",
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /cycle: agent\/executor\/controller\.ts -> agent\/executor\/restore\.ts/,
    );
  });

  it('fails on a deep import into another component', async () => {
    const { code, output } = await check({
      'cli/run.ts':
        "import type { Summary } from '../agent/runtime/types.js';\nvoid 0 as unknown as Summary;\n",
    });
    expect(code).toBe(1);
    expect(output).toContain('deep: cli/run.ts imports agent/runtime/types.ts');
  });

  it('fails on an index of a sub-folder used from another component', async () => {
    const { code, output } = await check({
      'cli/run.ts':
        "import type { Summary } from '../agent/runtime/index.js';\nexport type S = Summary;\n",
    });
    expect(code).toBe(1);
    expect(output).toContain('enter agent/ through agent/index.ts');
  });

  it('fails on a deep import into a sibling folder that has an index.ts', async () => {
    const { code, output } = await check({
      'manager/api/routes.ts': "import { newId } from '../store/ids.js';\nvoid newId;\n",
    });
    expect(code).toBe(1);
    expect(output).toContain('deep: manager/api/routes.ts imports manager/store/ids.ts');
  });

  it('fails on an import across agent and manager', async () => {
    const { code, output } = await check({
      'manager/api/agent-types.ts':
        "import { runAgent } from '../../agent/index.js';\nvoid runAgent;\n",
    });
    expect(code).toBe(1);
    expect(output).toContain('layer: manager/api/agent-types.ts imports agent/index.ts');
  });

  it('fails on a production index.ts that exports test fixtures', async () => {
    const { code, output } = await check({
      'manager/store/index.ts':
        "export { newId } from './ids.js';\nexport { taskFixture } from './fixtures.js';\n",
    });
    expect(code).toBe(1);
    expect(output).toContain(
      'test-code: manager/store/index.ts exports test code manager/store/fixtures.ts',
    );
  });
});
