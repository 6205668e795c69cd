// Docker's `local` driver format (daemon/logger/local): each entry is a protobuf LogEntry
// (1 source string, 2 time_nano int64, 3 line bytes, 4 partial bool) framed by its length as a
// big-endian uint32 before and after. The line is stored without its newline; partial entries
// have partial = true. Partial-message metadata (field 5) is neither written nor needed here.
import type { LogEntry } from '../../types.js';
import type { LogDecoder } from './codec.js';
import { fromUnixNanos, parseLogTime, rfc3339NanoFixed, unixNanos } from './time.js';

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function field(no: number, wire: number): number[] {
  return varint(BigInt((no << 3) | wire));
}

export function encodeLocalEntry(e: LogEntry): Buffer {
  const partial = !e.data.subarray(-1).equals(Buffer.from('\n'));
  const line = partial ? e.data : e.data.subarray(0, -1);
  const t = parseLogTime(e.time) ?? { seconds: Math.floor(Date.now() / 1000), nanos: 0 };
  const source = Buffer.from(e.stream);
  const msg = Buffer.concat([
    Buffer.from([...field(1, 2), ...varint(BigInt(source.length))]),
    source,
    Buffer.from([...field(2, 0), ...varint(unixNanos(t))]),
    Buffer.from([...field(3, 2), ...varint(BigInt(line.length))]),
    line,
    Buffer.from(partial ? [...field(4, 0), 1] : []),
  ]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  return Buffer.concat([len, msg, len]);
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated varint');
    const b = buf[at++];
    v |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [v, at];
    shift += 7n;
  }
}

export function decodeLocalEntry(msg: Buffer): LogEntry | undefined {
  let source = '';
  let nanos = 0n;
  let line = Buffer.alloc(0);
  let partial = false;
  let at = 0;
  while (at < msg.length) {
    const [key, next] = readVarint(msg, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(msg, at);
      at = n;
      if (no === 2) nanos = BigInt.asIntN(64, v);
      if (no === 4) partial = v !== 0n;
    } else if (wire === 2) {
      const [len, n] = readVarint(msg, at);
      const bytes = msg.subarray(n, n + Number(len));
      at = n + Number(len);
      if (no === 1) source = bytes.toString();
      if (no === 3) line = Buffer.from(bytes);
    } else return undefined; // not a LogEntry we know how to read
  }
  if (source !== 'stdout' && source !== 'stderr') return undefined;
  const data = partial ? line : Buffer.concat([line, Buffer.from('\n')]);
  return { stream: source, time: rfc3339NanoFixed(fromUnixNanos(nanos)), data };
}

export const localDecoder: LogDecoder = {
  decode(buf) {
    const entries: LogEntry[] = [];
    let at = 0;
    while (at + 4 <= buf.length) {
      const len = buf.readUInt32BE(at);
      if (at + 8 + len > buf.length) break;
      const e = decodeLocalEntry(buf.subarray(at + 4, at + 4 + len));
      if (e) entries.push(e);
      at += 8 + len;
    }
    return { entries, used: at };
  },
};
