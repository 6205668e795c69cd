import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from './errors-doc.js';
import { FlotillaError } from './flotilla-error.js';

describe('error catalogue', () => {
  it('keeps docs/errors.md in step with the codes (run npm run gen:errors-doc)', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderErrorsDoc());
  });

  it('renders parameters into the message and round-trips through JSON', () => {
    const err = new FlotillaError('INVALID_FLAG_VALUE', {
      value: 'x',
      flag: '--cpus',
      reason: 'not a number',
    });
    expect(err.message).toBe('invalid value "x" for flag --cpus: not a number');
    const back = FlotillaError.fromJSON(JSON.parse(JSON.stringify(err)));
    expect(back.code).toBe('INVALID_FLAG_VALUE');
    expect(back.message).toBe(err.message);
    expect(back.kind).toBe('invalid_argument');
  });

  it('turns an unknown remote code into INTERNAL keeping the message', () => {
    const back = FlotillaError.fromJSON({ code: 'NOPE', kind: 'internal', message: 'boom' });
    expect(back.code).toBe('INTERNAL');
    expect(back.message).toBe('boom');
  });
});
