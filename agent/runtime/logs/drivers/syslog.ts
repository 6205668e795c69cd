// Docker's syslog driver: each line becomes one message to `syslog-address` (udp, tcp, unix stream
// or unixgram), in `syslog-format`: Docker's default (RFC 3339 time, hostname), rfc3164, rfc5424 or
// rfc5424micro. Priority is `syslog-facility` (daemon by default) with severity info for stdout
// and err for stderr; over tcp, RFC 5424 messages are octet-counted (RFC 5425) as Docker frames them.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import {
  parseSyslogAddress,
  syslogFacilities,
  type SyslogAddress,
} from '../../../../shared/engine/index.js';
import type { LogEntry } from '../../types.js';
import { expandTag, lineText, type LogSink, type LogSubject } from './sink.js';
import { UnixDatagramSender } from './unix-datagram.js';
import { splitHostPort } from '../../../../shared/net/host-port.js';

const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's time.Stamp in local time: "Jan _2 15:04:05". */
function stamp(d: Date): string {
  const day = String(d.getDate()).padStart(2, ' ');
  return `${months[d.getMonth()]} ${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** RFC 3339 with the local offset; `micro` adds microseconds (rfc5424micro). */
function rfc3339(d: Date, micro = false): string {
  const off = -d.getTimezoneOffset();
  const zone =
    off === 0
      ? 'Z'
      : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${base}${micro ? `.${pad(d.getMilliseconds(), 3)}000` : ''}${zone}`;
}

export interface SyslogOptions {
  format: string;
  facility: number;
  tag: string;
  host: string;
  pid: number;
}

export function formatSyslog(e: LogEntry, o: SyslogOptions, now: Date): string {
  const pri = o.facility * 8 + (e.stream === 'stderr' ? 3 : 6);
  const msg = lineText(e);
  switch (o.format) {
    case 'rfc3164':
      return `<${pri}>${stamp(now)} ${o.host} ${o.tag}[${o.pid}]: ${msg}`;
    case 'rfc5424':
    case 'rfc5424micro':
      return `<${pri}>1 ${rfc3339(now, o.format === 'rfc5424micro')} ${o.host} ${o.tag} ${o.pid} ${o.tag} - ${msg}`;
    default:
      return `<${pri}>${rfc3339(now)} ${o.host} ${o.tag}[${o.pid}]: ${msg}`;
  }
}

/** A connection to the syslog server; stream transports reconnect on the next write after an error. */
interface Transport {
  send(msg: Buffer): Promise<void>;
  close(): Promise<void>;
}

function udpTransport(address: string): Transport {
  const [host, port] = splitHostPort(address);
  let sock: UdpSocket | undefined;
  return {
    send: (msg) =>
      new Promise((resolve, reject) => {
        sock ??= createSocket(host.includes(':') ? 'udp6' : 'udp4');
        sock.send(msg, port, host, (err) => (err ? reject(err) : resolve()));
      }),
    close: async () => void sock?.close(),
  };
}

function streamTransport(a: SyslogAddress): Transport {
  let sock: Socket | undefined;
  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = a.protocol === 'unix' ? connect(a.address) : connectTcp(a.address);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  return {
    async send(msg) {
      if (!sock || sock.destroyed) {
        sock = await open();
        sock.on('error', () => sock?.destroy());
      }
      const s = sock;
      await new Promise<void>((resolve, reject) =>
        s.write(msg, (err) => (err ? reject(err) : resolve())),
      );
    },
    async close() {
      sock?.end();
    },
  };
}

function unixgramTransport(path: string): Transport {
  const sender = new UnixDatagramSender(path);
  return { send: (msg) => sender.send(msg), close: async () => void (await sender.close()) };
}

export function syslogSink(s: LogSubject, opts: Record<string, string>): LogSink {
  const a = parseSyslogAddress(opts['syslog-address'] ?? 'unixgram:///dev/log');
  const o: SyslogOptions = {
    format: opts['syslog-format'] ?? '',
    facility: syslogFacilities.indexOf(opts['syslog-facility'] ?? 'daemon'),
    tag: expandTag(opts.tag, s),
    host: hostname(),
    pid: process.pid,
  };
  const octetCounted = a.protocol === 'tcp' && o.format.startsWith('rfc5424');
  const newline = a.protocol === 'tcp' || a.protocol === 'unix';
  const t =
    a.protocol === 'udp'
      ? udpTransport(a.address)
      : a.protocol === 'unixgram'
        ? unixgramTransport(a.address)
        : streamTransport(a);
  return {
    async write(entries) {
      for (const e of entries) {
        const text = formatSyslog(e, o, new Date());
        const framed = octetCounted
          ? `${Buffer.byteLength(text)} ${text}`
          : newline
            ? `${text}\n`
            : text;
        await t.send(Buffer.from(framed));
      }
    },
    close: () => t.close(),
  };
}

function connectTcp(address: string): Socket {
  const [host, port] = splitHostPort(address);
  return connect(port, host);
}
