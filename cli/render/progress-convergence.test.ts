import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demux } from '../commands/service/logs.js';
import { ConvergenceRenderer } from './progress-convergence.js';

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += c.toString();
    cb();
  }
}

describe('convergence renderer', () => {
  it('prints only changed lines when stdout is not a terminal', () => {
    const out = new Sink();
    const r = new ConvergenceRenderer(out, false);
    r.draw([
      ['overall', 'overall progress: 0 out of 1 tasks'],
      ['1/1', '1/1: pending'],
    ]);
    r.draw([
      ['overall', 'overall progress: 0 out of 1 tasks'],
      ['1/1', '1/1: running'],
    ]);
    expect(out.text).toBe('overall progress: 0 out of 1 tasks\n1/1: pending\n1/1: running\n');
  });

  it('redraws the block in place on a terminal', () => {
    const out = new Sink();
    const r = new ConvergenceRenderer(out, true);
    r.draw([
      ['a', 'one'],
      ['b', 'two'],
    ]);
    r.draw([
      ['a', 'one'],
      ['b', 'three'],
    ]);
    expect(out.text).toBe('\x1b[2K\rone\n\x1b[2K\rtwo\n\x1b[2A\x1b[2K\rone\n\x1b[2K\rthree\n');
  });
});

describe('service logs demux', () => {
  it('splits docker-framed stdout/stderr into lines, across chunk boundaries', async () => {
    const frame = (stream: number, s: string) => {
      const h = Buffer.alloc(8);
      h[0] = stream;
      h.writeUInt32BE(Buffer.byteLength(s), 4);
      return Buffer.concat([h, Buffer.from(s)]);
    };
    const all = Buffer.concat([
      frame(1, 'T1 hello\nT2 wor'),
      frame(1, 'ld\n'),
      frame(2, 'T3 oops\n'),
    ]);
    async function* chunks() {
      yield all.subarray(0, 5);
      yield all.subarray(5, 20);
      yield all.subarray(20);
    }
    const lines: [number, string][] = [];
    for await (const l of demux(chunks())) lines.push(l);
    expect(lines).toEqual([
      [1, 'T1 hello'],
      [1, 'T2 world'],
      [2, 'T3 oops'],
    ]);
  });
});
