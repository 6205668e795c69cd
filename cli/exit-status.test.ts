import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../shared/errors/index.js';
import { exitStatus, parseFlags, runFailure, StatusError } from './exit-status.js';

const commander = (code: string, exitCode = 1) => new CommanderError(exitCode, code, 'x');

describe('exitStatus', () => {
  it('gives 125 for a flag error and 1 for a usage error, as Docker', () => {
    expect(exitStatus(commander('commander.unknownOption'))).toBe(125);
    expect(exitStatus(commander('commander.optionMissingArgument'))).toBe(125);
    expect(exitStatus(commander('commander.invalidArgument'))).toBe(125);
    expect(exitStatus(commander('commander.missingArgument'))).toBe(1);
    expect(exitStatus(commander('commander.excessArguments'))).toBe(1);
    expect(exitStatus(commander('commander.unknownCommand'))).toBe(1);
  });

  it('gives 0 for help, version, and a group shown without its subcommand', () => {
    expect(exitStatus(commander('commander.helpDisplayed', 0))).toBe(0);
    expect(exitStatus(commander('commander.version', 0))).toBe(0);
    expect(exitStatus(commander('commander.help', 1))).toBe(0);
  });

  it('gives 1 for any error of a command, whatever its kind', () => {
    expect(exitStatus(new FlotillaError('CONTAINER_NOT_FOUND', { id: 'x' }))).toBe(1);
    expect(exitStatus(new FlotillaError('INTERNAL', { detail: 'boom' }))).toBe(1);
    expect(exitStatus(new Error('plain'))).toBe(1);
    // A start failure's own status is `run`'s alone: `start` of that container says 1.
    const notFound = new FlotillaError('CONTAINER_COMMAND_NOT_FOUND', {}, { exitCode: 127 });
    expect(exitStatus(notFound)).toBe(1);
  });

  it('gives 125 for INVALID_FLAG_VALUE, wherever it was raised', () => {
    const bad = new FlotillaError('INVALID_FLAG_VALUE', { flag: '--x', value: 'y', reason: 'z' });
    expect(exitStatus(bad)).toBe(125);
    expect(exitStatus(FlotillaError.fromJSON(bad.toJSON()))).toBe(125);
  });

  it("gives a StatusError's own status", () => {
    expect(exitStatus(new StatusError(126, new Error('x')))).toBe(126);
  });
});

describe('parseFlags', () => {
  it('turns what the flag parsing throws into status 125, keeping the error as cause', () => {
    const size = new FlotillaError('INVALID_SIZE', { field: '--memory', value: 'lots' });
    let thrown: unknown;
    try {
      parseFlags(() => {
        throw size;
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StatusError);
    expect(exitStatus(thrown)).toBe(125);
    expect((thrown as StatusError).cause).toBe(size);
    expect(parseFlags(() => 7)).toBe(7);
  });
});

describe('runFailure', () => {
  it('gives 127 and 126 for the command, 125 for anything else', () => {
    const own = (exitCode: number) => new FlotillaError('CONTAINER_START_FAILED', {}, { exitCode });
    expect(runFailure(own(127)).status).toBe(127);
    expect(runFailure(own(126)).status).toBe(126);
    expect(runFailure(own(125)).status).toBe(125);
    expect(runFailure(new FlotillaError('CONTAINER_IMAGE_NOT_FOUND', { ref: 'x' })).status).toBe(
      125,
    );
    expect(runFailure(new Error('socket hang up')).status).toBe(125);
  });

  it('keeps the status of an error that already has one', () => {
    expect(runFailure(new StatusError(126, new Error('x'))).status).toBe(126);
  });
});
