import { describe, expect, it } from 'vitest';
import { parsePaxXattrs } from './pax-xattrs.js';

function record(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

describe('raw PAX xattrs', () => {
  it('keeps binary xattr values byte for byte', () => {
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0xff, 0xfe, 0x0a, 0x3d]);
    const buf = Buffer.concat([
      record('path', Buffer.from('usr/bin/ping')),
      record('SCHILY.xattr.security.capability', cap),
      record('SCHILY.xattr.user.note', Buffer.from('hi')),
    ]);
    const x = parsePaxXattrs(buf);
    expect(x.get('security.capability')).toEqual(cap);
    expect(x.get('user.note')?.toString()).toBe('hi');
    expect(x.has('path')).toBe(false);
  });
});
