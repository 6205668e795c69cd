import { describe, expect, it } from 'vitest';
import { decodeAnswers, encodeRequest } from './probe-wire.js';

const answer = (status: number, output: string) => {
  const body = Buffer.from(output);
  const head = Buffer.alloc(8);
  head.writeInt32LE(status, 0);
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('probe wire format', () => {
  it('encodes the timeout and NUL-terminated arguments', () => {
    const b = encodeRequest(['/bin/sh', '-c', 'echo a\nb'], 2500);
    expect(b.readUInt32LE(0)).toBe(2500);
    expect(b.readUInt32LE(4)).toBe(b.length - 8);
    expect(b.subarray(8).toString()).toBe('/bin/sh\0-c\0echo a\nb\0');
  });

  it('decodes answers split anywhere and keeps the incomplete rest', () => {
    const all = Buffer.concat([answer(0, 'ok\n'), answer(3, ''), answer(-1, 'partial')]);
    const first = decodeAnswers(all.subarray(0, 13));
    expect(first.answers).toEqual([{ exitCode: 0, output: 'ok\n' }]);
    expect(first.rest.length).toBe(2);
    const second = decodeAnswers(Buffer.concat([first.rest, all.subarray(13)]));
    expect(second.answers).toEqual([
      { exitCode: 3, output: '' },
      { exitCode: -1, output: 'Health check exceeded timeout' },
    ]);
    expect(second.rest.length).toBe(0);
  });
});
