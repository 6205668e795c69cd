// Creates device nodes and fifos (whiteouts are 0/0 character devices). Node has no mknod(2), and
// spawning /usr/bin/mknod costs a process per node, which is slow for layers that delete hundreds
// of files; so one small python3 helper per layer serves all of them over a pipe. Without
// python3 it falls back to /usr/bin/mknod per node.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const PYTHON = '/usr/bin/python3';

const HELPER = `
import os, sys, json, stat
for line in sys.stdin:
    op = json.loads(line)
    try:
        if op[1] == 'p':
            os.mkfifo(op[2], 0o600)
        else:
            kind = stat.S_IFCHR if op[1] == 'c' else stat.S_IFBLK
            os.mknod(op[2], 0o600 | kind, os.makedev(op[3], op[4]))
        sys.stdout.write('%d ok\\n' % op[0])
    except OSError as e:
        sys.stdout.write('%d err %s\\n' % (op[0], e.strerror))
    sys.stdout.flush()
`;

export class NodeMaker {
  private child: ChildProcessWithoutNullStreams | undefined;
  private seq = 0;
  private buffered = '';
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly useHelper = existsSync(PYTHON);

  /** Creates a character or block device or a fifo at `path`, which must not exist. */
  async mknod(path: string, type: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
    if (!this.useHelper) {
      const args = ['-m', '0600', '--', path, type];
      if (type !== 'p') args.push(String(major), String(minor));
      await execFileP('/usr/bin/mknod', args);
      return;
    }
    const child = this.start();
    const id = ++this.seq;
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    child.stdin.write(JSON.stringify([id, type, path, major, minor]) + '\n');
    await done;
  }

  /** Stops the helper; safe to call more than once. */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(PYTHON, ['-c', HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      this.buffered += d;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const [idText, status, ...rest] = line.split(' ');
        const w = this.waiting.get(Number(idText));
        if (!w) continue;
        this.waiting.delete(Number(idText));
        if (status === 'ok') w.resolve();
        else w.reject(new Error(`mknod: ${rest.join(' ')}`));
      }
    });
    const failAll = (err: Error) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
      if (this.child === child) this.child = undefined;
    };
    child.on('error', failAll);
    child.on('close', (code) => failAll(new Error(`mknod helper exited (${code})`)));
    child.stdin.on('error', () => {});
    this.child = child;
    return child;
  }
}
