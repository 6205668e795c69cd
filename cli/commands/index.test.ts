import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../context.js';
import { commandGroups, groupsFor } from './index.js';

describe('command groups', () => {
  it('name exactly the top-level commands each group registers', async () => {
    const program = new Command('flotilla').enablePositionalOptions();
    const seen = new Set<string>();
    for (const g of commandGroups) {
      const before = new Set(program.commands.map((c) => c.name()));
      (await g.load())(program, () => ({}) as CliContext);
      const added = program.commands.map((c) => c.name()).filter((n) => !before.has(n));
      // A group names what it adds, plus the existing groups it extends (build: image, container).
      for (const n of added) expect(g.names).toContain(n);
      for (const n of g.names) expect(program.commands.map((c) => c.name())).toContain(n);
      for (const n of added) seen.add(n);
    }
    expect(seen.size).toBe(program.commands.length);
  });

  it('loads only the groups of the command being run', () => {
    const names = (argv: string[]) => groupsFor(argv).map((g) => g.names[0]);
    expect(names(['run', '--rm', 'busybox', 'true'])).toEqual(['create']);
    expect(names(['-H', 'unix:///x.sock', 'exec', 'c', 'sh'])).toEqual(['create']);
    expect(names(['--context', 'prod', 'service', 'ls'])).toEqual(['service']);
    expect(names(['image', 'build', '.'])).toEqual(['pull', 'build']);
    expect(names(['container', 'commit', 'c'])).toEqual(['create', 'build', 'cp']);
    expect(names(['cp', 'c:/etc/hosts', '-'])).toEqual(['cp']);
    expect(groupsFor(['--help'])).toBe(commandGroups);
    expect(groupsFor(['nope'])).toBe(commandGroups);
    expect(groupsFor([])).toBe(commandGroups);
  });
});
