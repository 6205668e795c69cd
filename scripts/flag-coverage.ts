// Which test drives each CLI flag the way a user does. Every (command, flag) pair of the CLI is
// matched to the first integration, e2e or chaos test with one CLI invocation (one argument list,
// scripts/cli-invocations.ts) that starts with the command's words and passes the flag after them.
// A literal in a test is a weak proof, but it is the floor: a flag no test even passes to the CLI
// is certainly untested. docs/flags.md is generated from this (scripts/flag-coverage.test.ts keeps
// it in step and fails on a new uncovered flag).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { commandGroups } from '../cli/commands/index.js';
import { invocations, type Invocation } from './cli-invocations.js';

export interface FlagRow {
  command: string;
  flag: string;
  /** The one-letter form (`-d`), when the flag has one. */
  short?: string;
  /** Other spellings of the same command (`container run` for `run`). */
  aliases: string[];
  covered?: { file: string; test: string };
}

interface TestBlock {
  file: string;
  name: string;
  calls: Invocation[];
}

/** Every command's options, commands with identical option lists folded into the shortest name. */
export async function cliFlags(): Promise<FlagRow[]> {
  const program = new Command('flotilla').enablePositionalOptions();
  program.option('-H, --host <host>').option('--context <name>').option('-D, --debug');
  for (const g of commandGroups) (await g.load())(program, () => ({}) as never);
  type Flag = { flag: string; short?: string };
  const byCommand = new Map<string, { names: string[]; flags: Flag[] }>();
  const walk = (c: Command, path: string[]) => {
    const flags: Flag[] = c.options
      .filter((o) => !o.hidden)
      .map((o) => ({ flag: o.long ?? o.short ?? '', short: o.long ? o.short : undefined }));
    if (flags.length) {
      // Aliases of one command (`container ls`, `ps`) share the leaf name's option list.
      const key = `${path[path.length - 1] ?? ''}|${flags.map((f) => `${f.short ?? ''}${f.flag}`).join(',')}`;
      const entry = byCommand.get(key) ?? { names: [], flags };
      entry.names.push(path.join(' ') || 'flotilla');
      byCommand.set(key, entry);
    }
    for (const s of c.commands) walk(s, [...path, s.name()]);
  };
  walk(program, []);
  const rows: FlagRow[] = [];
  for (const { names, flags } of byCommand.values()) {
    names.sort((a, b) => a.length - b.length || a.localeCompare(b));
    const [command, ...aliases] = names;
    for (const f of flags) rows.push({ command: command!, ...f, aliases });
  }
  return rows.sort((a, b) => a.command.localeCompare(b.command) || a.flag.localeCompare(b.flag));
}

function testFiles(root: string, dirs: string[]): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) visit(p);
      else if (n.endsWith('.test.ts')) out.push(p);
    }
  };
  for (const d of dirs) visit(join(root, d));
  return out.sort();
}

const testStart = /^\s*(?:it|test)(?:\.\w+(?:\([^)]*\))?)?\(\s*(['"`])(.*?)\1,/gm;
// Titles are prose, not invocations: `describe('rm -f', …)` passes nothing to the CLI.
const titleStart = /\b(?:describe|it|test)(?:\.\w+(?:\([^)]*\))?)?\(\s*(['"`])/g;

function testBlocks(root: string): TestBlock[] {
  const blocks: TestBlock[] = [];
  for (const path of testFiles(root, ['test/integration', 'test/e2e', 'test/chaos'])) {
    const text = readFileSync(path, 'utf8');
    const starts = [...text.matchAll(testStart)];
    starts.forEach((m, i) => {
      const body = text.slice(m.index, starts[i + 1]?.index ?? text.length);
      const titles = new Set([...body.matchAll(titleStart)].map((t) => t.index + t[0].length - 1));
      blocks.push({ file: relative(root, path), name: m[2]!, calls: invocations(body, titles) });
    });
  }
  return blocks;
}

// A client put before the command words: `['flotilla', 'run', …]`, Python's `['node', cli, 'run']`.
const client = /^(?:\S*\/)?(?:flotilla|docker|node)$/;

/** True when `call` starts (after a client's name) with `words` and passes `flags` after them. */
export function invokes(call: Invocation, words: string[], flags: string[]): boolean {
  const passes = (t: string) => flags.some((f) => t === f || t.startsWith(`${f}=`));
  for (let at = 0; at === 0 || client.test(call[at - 1] ?? ''); at++) {
    if (at + words.length > call.length) return false;
    // The root's own flags (-H, --context) come before any command.
    const rest = words.length ? call.slice(at + words.length) : call.slice(at, at + 1);
    if (words.every((w, k) => call[at + k] === w) && rest.some(passes)) return true;
  }
  return false;
}

function covers(block: TestBlock, row: FlagRow): boolean {
  const flags = [row.flag, ...(row.short ? [row.short] : [])];
  const commands = [row.command, ...row.aliases].map((c) => (c === 'flotilla' ? [] : c.split(' ')));
  return block.calls.some((call) => commands.some((words) => invokes(call, words, flags)));
}

/** The rows with the first test that covers each, if any. */
export async function flagCoverage(root: string): Promise<FlagRow[]> {
  const rows = await cliFlags();
  const blocks = testBlocks(root);
  for (const row of rows) {
    const b = blocks.find((x) => covers(x, row));
    if (b) row.covered = { file: b.file, test: b.name };
  }
  return rows;
}

export function renderFlagsDoc(rows: FlagRow[]): string {
  const covered = rows.filter((r) => r.covered).length;
  const lines = [
    '# CLI flags and the tests that drive them',
    '',
    'Generated by `UPDATE_FLAGS_DOC=1 npx vitest run --project unit scripts/flag-coverage.test.ts`',
    '(scripts/flag-coverage.ts): every flag of every command, and the first integration, e2e or',
    'chaos test with one CLI invocation (one argument list in its text) that starts with the',
    "command's words and passes the flag after them. A quoted literal is a weak proof, and a flag",
    'listed here as covered may still be tested only in part; a flag with',
    '"no test yet" is certainly not driven by any test. The unit test fails when a new flag has no',
    'test (the ones below that have none are the backlog of issue 15).',
    '',
    `${covered} of ${rows.length} flags are passed to the CLI by at least one test.`,
    '',
    '| command | flag | covered by |',
    '| --- | --- | --- |',
  ];
  for (const r of rows) {
    const cmd = r.aliases.length ? `${r.command} (${r.aliases.join(', ')})` : r.command;
    const by = r.covered
      ? `\`${r.covered.file}\` › ${r.covered.test.replace(/\|/g, '\\|')}`
      : 'no test yet';
    const flag = r.short ? `\`${r.short}\`, \`${r.flag}\`` : `\`${r.flag}\``;
    lines.push(`| ${cmd} | ${flag} | ${by} |`);
  }
  return lines.join('\n') + '\n';
}
