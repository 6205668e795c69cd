// Just enough of RFC 1035 to answer A queries for container names: parse one question, build an
// answer (or an empty/NXDOMAIN/SERVFAIL reply). Anything else is forwarded untouched by the server.

export interface DnsQuestion {
  id: number;
  flags: number;
  /** Lower-case, without the trailing dot. */
  name: string;
  type: number;
  class: number;
  /** Byte offset just past the question section. */
  end: number;
}

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const TYPE_ANY = 255;
export const RCODE_NXDOMAIN = 3;
export const RCODE_SERVFAIL = 2;
export const RCODE_REFUSED = 5;
/** Without EDNS a UDP answer is at most 512 bytes; longer ones are cut and flagged (TC). */
export const UDP_REPLY_MAX_BYTES = 512;
const FLAG_TC = 0x0200;

/** Returns undefined for anything that is not a single-question standard query. */
export function parseQuestion(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || ((flags >> 11) & 0xf) !== 0) return undefined; // a response, or not QUERY
  if (msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off];
    if (len === 0) {
      off += 1;
      break;
    }
    if (len > 63 || off + 1 + len > msg.length) return undefined; // no compression in questions
    labels.push(msg.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    flags,
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off),
    class: msg.readUInt16BE(off + 2),
    end: off + 4,
  };
}

/**
 * A reply to `query` carrying `addresses` as A records (none = NODATA, or `rcode`). With
 * `maxBytes`, only the records that fit are kept and TC is set, so the client retries over TCP
 * (or uses what it got).
 */
export function buildReply(
  query: Buffer,
  q: DnsQuestion,
  addresses: string[],
  rcode = 0,
  ttlSec = 600,
  maxBytes = Infinity,
): Buffer {
  const room = Math.max(0, Math.floor((maxBytes - 12 - (q.end - 12)) / 16));
  const truncated = addresses.length > room;
  if (truncated) addresses = addresses.slice(0, room);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, AA, RA set; RD copied from the query.
  const flags = 0x8000 | 0x0400 | 0x0080 | (q.flags & 0x0100) | (rcode & 0xf);
  header.writeUInt16BE(truncated ? flags | FLAG_TC : flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttlSec, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...answers]);
}

/** A query for `name` (tests and clients). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'));
  parts.push(Buffer.from([0, type >> 8, type & 255, 0, 1]));
  return Buffer.concat(parts);
}

/** The A addresses, rcode and TC flag of a reply (tests and clients). */
export function parseAnswers(msg: Buffer): {
  rcode: number;
  addresses: string[];
  truncated?: boolean;
} {
  const q = parseQuestion(
    Buffer.concat([msg.subarray(0, 2), Buffer.from([1, 0]), msg.subarray(4)]),
  );
  const rcode = msg.readUInt16BE(2) & 0xf;
  const addresses: string[] = [];
  if (!q) return { rcode, addresses };
  const truncated = (msg.readUInt16BE(2) & FLAG_TC) !== 0;
  let off = q.end;
  for (let i = 0; i < msg.readUInt16BE(6) && off < msg.length; i++) {
    if ((msg[off] & 0xc0) === 0xc0) off += 2;
    else {
      while (msg[off] !== 0) off += msg[off] + 1;
      off += 1;
    }
    const type = msg.readUInt16BE(off);
    const len = msg.readUInt16BE(off + 8);
    if (type === TYPE_A && len === 4)
      addresses.push([...msg.subarray(off + 10, off + 14)].join('.'));
    off += 10 + len;
  }
  return truncated ? { rcode, addresses, truncated } : { rcode, addresses };
}
