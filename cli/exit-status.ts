// The status the CLI exits with when a command fails, as Docker's CLI decides it (cli/cobra.go
// FlagErrorFunc, cmd/docker/docker.go, container/{run,create,exec}.go): it depends on the command
// and on where the error came from, never on the error's kind. Commands that leave with a
// container's or an exec's own status set process.exitCode themselves.
import { CommanderError } from 'commander';
import { isFlotillaError } from '../shared/errors/index.js';

/**
 * An error that carries the status to exit with (Docker's cli.StatusError). main.ts prints its
 * cause as any other error.
 */
export class StatusError extends Error {
  constructor(
    readonly status: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'StatusError';
  }
}

/** Flag errors of commander: pflag's, which Docker's FlagErrorFunc turns into 125. */
const flagErrorCodes = new Set([
  'commander.unknownOption',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
  // A value an option's parser refused (no command-argument has a parser here).
  'commander.invalidArgument',
]);

/**
 * The exit status for an error that ended a command:
 * - a flag error (unknown flag, missing or bad value), of any command: 125;
 * - help, version, or a command group given without its subcommand (usage shown): 0;
 * - a usage error (missing or extra argument, unknown command): 1;
 * - a StatusError: its status (`run`, `create`'s flags, `exec`: see their commands);
 * - anything else: 1.
 */
export function exitStatus(err: unknown): number {
  if (err instanceof StatusError) return err.status;
  if (err instanceof CommanderError) {
    if (err.exitCode === 0 || err.code === 'commander.help') return 0;
    return flagErrorCodes.has(err.code) ? 125 : 1;
  }
  // The catalogue's form of pflag's `invalid argument "x" for "--flag" flag`, wherever it is raised
  // (a command's own flag checks, `flotilla manager`'s address pools, `flotilla agent --join`).
  if (isFlotillaError(err) && err.code === 'INVALID_FLAG_VALUE') return 125;
  return 1;
}

/**
 * Runs the part of a command that turns its flags into a request, before anything is asked of an
 * agent or a manager: what it throws (a bad size, duration, mount …) is a flag error, status 125,
 * as pflag's and as what Docker's `create`/`run` reject while parsing their options.
 */
export function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new StatusError(125, err);
  }
}

/**
 * `run`'s status for an error that kept the container from running (Docker's
 * runStartContainerErr): 127 when its command was not found, 126 when it could not be invoked,
 * 125 for anything else (the engine's error: no such image, name in use, agent unreachable …).
 */
export function runFailure(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const own = isFlotillaError(err) ? err.exitCode : undefined;
  return new StatusError(own === 126 || own === 127 ? own : 125, err);
}
