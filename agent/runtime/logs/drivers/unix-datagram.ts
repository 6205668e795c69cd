// Sends datagrams to a unix socket (journald's native socket, syslog's unixgram://). Node has no
// AF_UNIX datagram sockets, so a small python3 helper (a listed dependency, as for attach) does
// the sendto; we frame each datagram on its stdin as [u32 length][bytes].
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { pythonBinary, pythonFlags } from '../../helpers/python.js';

const helper = `
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
r = sys.stdin.buffer
while True:
    h = r.read(4)
    if len(h) < 4:
        break
    d = r.read(struct.unpack('>I', h)[0])
    try:
        s.sendto(d, sys.argv[1])
    except OSError as e:
        sys.stderr.write('send failed: %s\\n' % e)
        sys.stderr.flush()
`;

export class UnixDatagramSender {
  private child?: ChildProcess;
  private lastError = '';

  constructor(private readonly path: string) {}

  async send(datagram: Buffer): Promise<void> {
    const child = this.start();
    const len = Buffer.alloc(4);
    len.writeUInt32BE(datagram.length);
    if (!child.stdin!.write(Buffer.concat([len, datagram]))) await once(child.stdin!, 'drain');
  }

  /** Waits until every datagram was handed to the socket; returns the helper's last error. */
  async close(): Promise<string> {
    const child = this.child;
    if (!child) return '';
    this.child = undefined;
    child.stdin!.end();
    if (child.exitCode === null) await once(child, 'exit');
    return this.lastError;
  }

  private start(): ChildProcess {
    if (this.child && this.child.exitCode === null) return this.child;
    const child = spawn(pythonBinary(), [...pythonFlags, '-c', helper, this.path], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (c: Buffer) => (this.lastError = c.toString().trim()));
    child.stdin!.on('error', () => undefined);
    child.on('error', (err) => (this.lastError = err.message));
    this.child = child;
    return child;
  }
}
