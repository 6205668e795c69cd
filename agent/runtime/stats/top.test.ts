import { describe, expect, it } from 'vitest';
import { checkPsArgs, parsePsOutput } from './top.js';

describe('top', () => {
  it("keeps the container's rows and joins the last column, as dockerd", () => {
    const out = 'UID PID PPID CMD\nroot 10 1 sh -c sleep 9\nroot 11 10 other\nroot 12 10 sleep 9\n';
    expect(parsePsOutput(out, [10, 12])).toEqual({
      Titles: ['UID', 'PID', 'PPID', 'CMD'],
      Processes: [
        ['root', '10', '1', 'sh -c sleep 9'],
        ['root', '12', '10', 'sleep 9'],
      ],
    });
    expect(() => parsePsOutput('USER COMMAND\nroot sh\n', [1])).toThrow(
      "Couldn't find PID field in ps output",
    );
  });

  it('refuses renaming a column to PID, except pid=', () => {
    expect(() => checkPsArgs('-o user=PID')).toThrow('specifying "user=PID" is not allowed');
    expect(() => checkPsArgs('-o pid=PID,comm')).not.toThrow();
  });
});
