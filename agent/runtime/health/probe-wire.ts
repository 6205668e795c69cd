// The byte format between the agent and flotilla-probe (probe-helper.c), little endian.
// Request: u32 timeoutMs, u32 n, n bytes of NUL-terminated arguments.
// Answer: i32 status (exit code, 128+signal, -1 after the timeout), u32 n, n bytes of output.

export interface ProbeAnswer {
  /** The check's exit code; -1 when its timeout killed it (Docker's marker). */
  exitCode: number;
  output: string;
}

export function encodeRequest(cmd: string[], timeoutMs: number): Buffer {
  const args = Buffer.concat(cmd.map((a) => Buffer.from(`${a}\0`)));
  const head = Buffer.alloc(8);
  // 0, NaN or a negative value would be a deadline already past: the probe server would kill
  // every check at once. Callers pass Docker's default (30 s) for "unset"; this is the last guard.
  const ms = Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.round(timeoutMs) : 30_000;
  head.writeUInt32LE(Math.min(ms, 0xffffffff), 0);
  head.writeUInt32LE(args.length, 4);
  return Buffer.concat([head, args]);
}

/** The complete answers at the start of `buf`, and the bytes of an incomplete one after them. */
export function decodeAnswers(buf: Buffer): { answers: ProbeAnswer[]; rest: Buffer } {
  const answers: ProbeAnswer[] = [];
  let at = 0;
  while (buf.length - at >= 8) {
    const n = buf.readUInt32LE(at + 4);
    if (buf.length - at - 8 < n) break;
    const status = buf.readInt32LE(at);
    answers.push({
      exitCode: status,
      output:
        status === -1 ? 'Health check exceeded timeout' : buf.toString('utf8', at + 8, at + 8 + n),
    });
    at += 8 + n;
  }
  return { answers, rest: buf.subarray(at) };
}
