// The `flotilla` executable: parses global flags, registers every command group, and turns any
// error into `Error: <message>` (plus `Hint:`) and Docker's exit status for it (exit-status.ts).
// Stack traces only with --debug.
import { Command, CommanderError } from 'commander';
import { exitStatus, StatusError } from './exit-status.js';
import { createCliContext, type CliContext } from './context.js';
import { groupsFor } from './commands/index.js';
import { toFlotillaError } from '../shared/errors/index.js';

export const version = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('flotilla');
  program
    .version(version, '-v, --version')
    .description('Flotilla: a container engine on every machine, and an orchestrator across them')
    .option('-H, --host <host>', 'agent socket (unix:///run/flotilla/agent.sock, or FLOTILLA_HOST)')
    .option('--context <name>', 'cluster context to use (or FLOTILLA_CONTEXT)')
    .option('-D, --debug', 'show error codes and causes')
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();

  let ctx: CliContext | undefined;
  const getCtx = (): CliContext => {
    if (!ctx) {
      const o = program.opts<{ host?: string; debug?: boolean; context?: string }>();
      ctx = createCliContext({ host: o.host, debug: Boolean(o.debug), context: o.context });
    }
    return ctx;
  };
  // Only the groups that define this command are imported (see commands/index.ts).
  const registers = await Promise.all(groupsFor(argv).map((g) => g.load()));
  for (const register of registers) register(program, getCtx);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // commander has already printed its error, usage or help.
    if (err instanceof CommanderError) return exitStatus(err);
    const fe = toFlotillaError(err instanceof StatusError ? err.cause : err);
    const debug =
      argv.includes('--debug') || argv.includes('-D') || process.env.FLOTILLA_DEBUG === '1';
    process.stderr.write(`Error: ${fe.message}\n`);
    if (fe.hint) process.stderr.write(`Hint: ${fe.hint}\n`);
    if (debug) {
      process.stderr.write(`Code: ${fe.code} (${fe.kind})\n`);
      let cause: unknown = fe.code === 'INTERNAL' ? fe.cause : fe;
      while (cause) {
        if (cause instanceof Error) process.stderr.write(`${cause.stack ?? cause.message}\n`);
        cause = cause instanceof Error ? cause.cause : undefined;
      }
    }
    return exitStatus(err);
  }
}
