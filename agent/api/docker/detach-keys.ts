// Docker's detach keys on an attach's stdin (`detachKeys=ctrl-p,ctrl-q`, the default): the daemon
// watches the input for the sequence, holds back a partial match, and detaches the client on a
// full one, leaving the container running (moby's term.EscapeProxy).
import { Transform, type TransformCallback } from 'node:stream';
import { FlotillaError } from '../../../shared/errors/index.js';

export const defaultDetachKeys = 'ctrl-p,ctrl-q';

/** Docker's term.ToBytes: `a`, `ctrl-a`…`ctrl-z`, `ctrl-@`, `ctrl-[`, `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_`. */
export function detachKeyBytes(spec: string): Buffer {
  const out: number[] = [];
  for (const raw of spec.split(',')) {
    const key = raw.trim();
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1].toLowerCase();
      if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
      else if ('@[\\]^_'.includes(c)) out.push(c.charCodeAt(0) - 64);
      else throw invalid(spec);
    } else if (key.length === 1) out.push(key.charCodeAt(0));
    else throw invalid(spec);
  }
  return Buffer.from(out);
}

function invalid(spec: string): FlotillaError {
  return new FlotillaError('INVALID_ARGUMENT', {
    detail: `Invalid detach keys (${spec}) provided`,
  });
}

/** Passes stdin through until `keys` arrive in a row; then calls `onDetach` and ends. */
export class DetachKeysFilter extends Transform {
  private matched = 0;
  private done = false;

  constructor(
    private readonly keys: Buffer,
    private readonly onDetach: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.done) return cb();
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.done = true;
          if (out.length) this.push(Buffer.from(out));
          this.onDetach();
          return cb();
        }
        continue;
      }
      // A broken partial match is input after all: hand it on, then look at this byte afresh.
      out.push(...this.keys.subarray(0, this.matched));
      this.matched = 0;
      if (b === this.keys[0]) this.matched = 1;
      else out.push(b);
    }
    if (out.length) this.push(Buffer.from(out));
    cb();
  }
}
