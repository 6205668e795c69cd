import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../types.js';
import { encodeJournalEntry } from './journald.js';
import { encodeJsonLine, jsonFileDecoder } from './json-file.js';
import { encodeLocalEntry, localDecoder } from './local.js';
import { expandTag, extraAttributes } from './sink.js';
import { formatSyslog } from './syslog.js';
import { dockerTime, fixedTime } from './time.js';

const entry = (data: string, stream: 'stdout' | 'stderr' = 'stdout'): LogEntry => ({
  stream,
  time: '2026-12-07T13:00:01.120000000+01:00',
  data: Buffer.from(data),
});
const subject = {
  id: 'abcdef0123456789'.repeat(4),
  name: 'web',
  imageName: 'busybox:latest',
  imageId: 'sha256:' + '12'.repeat(32),
  daemonName: 'flotilla',
  labels: { tier: 'front', team: 'a' },
  env: ['PATH=/bin', 'REGION=eu', 'RELEASE=7'],
};

describe('log formats', () => {
  it('times become UTC RFC3339Nano (json-file) and fixed nine digits (what logs -t shows)', () => {
    expect(dockerTime('2026-12-07T13:00:01.120000000+01:00')).toBe('2026-12-07T12:00:01.12Z');
    expect(dockerTime('2026-12-07T12:00:01.000000000Z')).toBe('2026-12-07T12:00:01Z');
    expect(fixedTime('2026-12-07T12:00:01.12Z')).toBe('2026-12-07T12:00:01.120000000Z');
  });

  it('json-file lines are Docker jsonlog: keys in order, Go escaping, partial without newline', () => {
    expect(encodeJsonLine(entry('a <b> & "c"\n')).toString()).toBe(
      '{"log":"a \\u003cb\\u003e \\u0026 \\"c\\"\\n","stream":"stdout","time":"2026-12-07T12:00:01.12Z"}\n',
    );
    // Go escapes \b, \f and other control characters as \u00XX; \t and \r stay short.
    expect(encodeJsonLine(entry('\b\f\t\r\u0001\\\u2028\n')).toString()).toContain(
      '"log":"\\u0008\\u000c\\t\\r\\u0001\\\\\\u2028\\n"',
    );
    expect(JSON.parse(encodeJsonLine(entry('é ü "x"\n')).toString()).log).toBe('é ü "x"\n');
    const bytes = Buffer.concat([
      encodeJsonLine(entry('x\n', 'stderr')),
      encodeJsonLine(entry('p')),
    ]);
    const { entries, used } = jsonFileDecoder.decode(Buffer.concat([bytes, Buffer.from('{"lo')]));
    expect(used).toBe(bytes.length);
    expect(entries.map((e) => [e.stream, e.data.toString(), e.time])).toEqual([
      ['stderr', 'x\n', '2026-12-07T12:00:01.120000000Z'],
      ['stdout', 'p', '2026-12-07T12:00:01.120000000Z'],
    ]);
  });

  it('local entries are length-framed protobuf LogEntry messages that decode back', () => {
    const one = encodeLocalEntry(entry('hello\n'));
    const len = one.readUInt32BE(0);
    expect(one.length).toBe(len + 8);
    expect(one.readUInt32BE(4 + len)).toBe(len);
    // field 1 (source) "stdout", then field 2 (time_nano) as a varint, then 3 (line) "hello".
    expect(one.subarray(4, 12).toString('hex')).toBe(
      '0a06' + Buffer.from('stdout').toString('hex'),
    );
    const two = encodeLocalEntry(entry('part', 'stderr'));
    const { entries, used } = localDecoder.decode(Buffer.concat([one, two, two.subarray(0, 5)]));
    expect(used).toBe(one.length + two.length);
    expect(entries.map((e) => [e.stream, e.data.toString(), e.time])).toEqual([
      ['stdout', 'hello\n', '2026-12-07T12:00:01.120000000Z'],
      ['stderr', 'part', '2026-12-07T12:00:01.120000000Z'],
    ]);
  });

  it('syslog messages follow the chosen format, with daemon.info for stdout and daemon.err for stderr', () => {
    const now = new Date(2026, 11, 7, 9, 5, 3, 250);
    const o = { format: 'rfc5424', facility: 3, tag: 'web', host: 'h1', pid: 42 };
    expect(formatSyslog(entry('hi\n'), o, now)).toMatch(
      /^<30>1 2026-12-07T09:05:03\S* h1 web 42 web - hi$/,
    );
    expect(formatSyslog(entry('bad\n', 'stderr'), { ...o, format: 'rfc3164' }, now)).toBe(
      '<27>Dec  7 09:05:03 h1 web[42]: bad',
    );
    expect(formatSyslog(entry('m\n'), { ...o, format: 'rfc5424micro' }, now)).toMatch(
      /^<30>1 2026-12-07T09:05:03\.250000\S* h1/,
    );
  });

  it("json-file keeps Docker's extra attributes (labels, env, their regexes) in each line", () => {
    const attrs = extraAttributes({ labels: 'tier', 'env-regex': '^RE' }, subject);
    expect(attrs).toEqual({ tier: 'front', REGION: 'eu', RELEASE: '7' });
    const line = encodeJsonLine(entry('x\n'), { tier: 'front', REGION: 'eu' }).toString();
    expect(line).toBe(
      '{"log":"x\\n","stream":"stdout","attrs":{"REGION":"eu","tier":"front"},"time":"2026-12-07T12:00:01.12Z"}\n',
    );
    const { entries } = jsonFileDecoder.decode(Buffer.from(line));
    expect(entries[0]?.attrs).toEqual({ REGION: 'eu', tier: 'front' });
  });

  it('tags expand Docker templates; the default is the short id', () => {
    expect(expandTag(undefined, subject)).toBe('abcdef012345');
    expect(expandTag('{{.Name}}/{{.ImageName}}/{{.ImageID}}', subject)).toBe(
      'web/busybox:latest/121212121212',
    );
  });

  it('journal entries use the native protocol, with the binary form for a value with a newline', () => {
    const text = encodeJournalEntry(entry('one\n', 'stderr'), subject, 'web').toString('latin1');
    expect(text).toContain('MESSAGE=one\n');
    expect(text).toContain('PRIORITY=3\n');
    expect(text).toContain('CONTAINER_NAME=web\nCONTAINER_TAG=web\n');
    const multi = encodeJournalEntry(entry('a\nb'), subject, 'web');
    const i = multi.indexOf('MESSAGE\n');
    expect(i).toBe(0);
    expect(multi.readBigUInt64LE(8)).toBe(3n);
    expect(multi.subarray(16, 20).toString()).toBe('a\nb\n');
    expect(multi.toString()).toContain('CONTAINER_PARTIAL_MESSAGE=true\n');
  });
});
