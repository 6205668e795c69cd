// The command word of a `flotilla` command line: the first argument that is neither a global
// option nor a global option's value. Shared by bin/flotilla (which picks the daemon or the client
// build) and main.ts (which loads only the command groups that define that word).

/** Global options of `flotilla` that take a value (so their value is not the command). */
const globalWithValue = new Set(['-H', '--host', '--context']);

export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (globalWithValue.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** Commands that run a long-lived daemon rather than talk to one. */
export const daemonCommands: readonly string[] = ['agent', 'manager'];
