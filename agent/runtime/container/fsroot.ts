// Kernel-confined access to a container's files for `cp` (shared/archive's RootHandles): a
// flotilla-fsroot helper (fsroot-helper.c) resolves each path with openat2(RESOLVE_IN_ROOT) and
// holds the result; the agent reaches it as /proc/<helper>/fd/<n>, which no symlink can redirect.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { PinnedPath, RootHandles } from '../../../shared/archive/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { builtHelper } from '../native-helpers.js';

/** The built flotilla-fsroot; FLOTILLA_FSROOT_HELPER overrides it. */
export function fsrootBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.FLOTILLA_FSROOT_HELPER;
  if (override) return existsSync(override) ? override : undefined;
  return builtHelper('flotilla-fsroot');
}

const hex = (s: string) => Buffer.from(s).toString('hex');
const ERRNO: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  13: 'EACCES',
  18: 'EXDEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  30: 'EROFS',
  38: 'ENOSYS',
  39: 'ENOTEMPTY',
  40: 'ELOOP',
};

/** One helper process for one copy; close() ends it and every handle it holds. */
export class FsRootSession implements RootHandles {
  private readonly proc: ChildProcess;
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private readonly roots = new Map<string, Promise<number>>();

  constructor(binary: string) {
    this.proc = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.on('error', () => this.drain());
    this.proc.stdin!.on('error', () => this.drain());
    createInterface({ input: this.proc.stdout! })
      .on('line', (l) => this.waiting.shift()?.(l))
      .on('close', () => this.drain());
  }

  static open(env: NodeJS.ProcessEnv = process.env): FsRootSession {
    const binary = fsrootBinary(env);
    if (!binary) throw new FlotillaError('COPY_HELPER_MISSING', { helper: 'flotilla-fsroot' });
    return new FsRootSession(binary);
  }

  /** Ends the helper; resolves once it has gone, with every handle it held. */
  close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => {
      this.proc.once('close', () => resolve());
      this.proc.once('error', () => resolve());
    });
    this.proc.stdin!.end();
    return gone;
  }

  async pin(root: string, rel: string, follow: boolean): Promise<PinnedPath | undefined> {
    const rootFd = await this.rootFd(root);
    const fd = await this.ask(`R ${rootFd} ${follow ? 1 : 0} ${hex(rel)}`).catch((err) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      if (err.code === 'ENOSYS')
        throw new FlotillaError('COPY_FAILED', {
          detail: 'copying to or from a container needs openat2(2): Linux 5.6 or later',
        });
      throw err;
    });
    if (fd === undefined) return undefined;
    let released = false;
    return {
      path: this.fdPath(fd),
      release: () => {
        if (released) return;
        released = true;
        this.send(`C ${fd}`);
      },
    };
  }

  async readlink(pinned: PinnedPath): Promise<string> {
    return Buffer.from(await this.ask(`L ${this.fdOf(pinned)}`), 'hex').toString();
  }

  async removeChild(dir: PinnedPath, name: string): Promise<void> {
    await this.ask(`X ${this.fdOf(dir)} ${hex(name)}`);
  }

  private rootFd(root: string): Promise<number> {
    let fd = this.roots.get(root);
    if (!fd) {
      fd = this.ask(`O ${hex(root)}`).then(Number);
      this.roots.set(root, fd);
    }
    return fd;
  }

  private fdPath(fd: string): string {
    return `/proc/${this.proc.pid}/fd/${fd}`;
  }

  private fdOf(pinned: PinnedPath): string {
    return pinned.path.slice(this.fdPath('').length);
  }

  private send(line: string): void {
    if (!this.proc.stdin!.writableEnded) this.proc.stdin!.write(`${line}\n`);
  }

  /** Answers come back in the order asked; a helper that died fails every question owed. */
  private ask(line: string): Promise<string> {
    const answer = new Promise<string>((resolve, reject) => {
      this.waiting.push((l) => {
        if (l === undefined) return reject(new Error('flotilla-fsroot ended'));
        if (!l.startsWith('E ')) return resolve(l);
        const errno = Number(l.slice(2));
        const code = ERRNO[errno] ?? `errno ${errno}`;
        reject(Object.assign(new Error(`${code} (flotilla-fsroot)`), { code, errno }));
      });
    });
    this.send(line);
    return answer;
  }

  private drain(): void {
    for (const w of this.waiting.splice(0)) w(undefined);
  }
}
