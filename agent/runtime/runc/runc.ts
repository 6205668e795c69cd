// Thin wrapper over the runc binary with our own --root, so runc state never mixes with another
// engine's. Every call is a child process; stderr becomes the error detail.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';

export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  created: string;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(bin: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 128 + (signal ? 9 : 0),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
    child.stdin.end(input);
  });
}

/** The absolute path of an executable (as given if absolute, else found on PATH), if any. */
export function resolveBinary(bin: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(bin)
    ? [bin]
    : path
        .split(':')
        .filter(Boolean)
        .map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const onPath = (bin: string): boolean => resolveBinary(bin) !== undefined;

/** runc's log lines look like `time="..." level=error msg="..."`; keep the message. */
export function runcMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(last);
  return (m ? m[1].replace(/\\"/g, '"') : last).trim();
}

export class Runc {
  constructor(readonly deps: { binary: string; root: string }) {}

  get globalArgs(): string[] {
    return [`--root=${this.deps.root}`];
  }

  async run(args: string[], id = ''): Promise<string> {
    const r = await runCommand(this.deps.binary, [...this.globalArgs, ...args]);
    if (r.code !== 0)
      throw new FlotillaError('CONTAINER_RUNTIME_FAILED', {
        id,
        detail: `runc ${args[0]}: ${runcMessage(r.stderr) || `exit status ${r.code}`}`,
      });
    return r.stdout;
  }

  async state(id: string): Promise<RuncState | undefined> {
    const r = await runCommand(this.deps.binary, [...this.globalArgs, 'state', id]);
    if (r.code !== 0) return undefined;
    return JSON.parse(r.stdout) as RuncState;
  }

  async list(): Promise<RuncState[]> {
    const out = await this.run(['list', '-f', 'json']);
    return (JSON.parse(out || 'null') as RuncState[] | null) ?? [];
  }

  start(id: string): Promise<string> {
    return this.run(['start', id], id);
  }

  async kill(id: string, signal: string | number, all = false): Promise<void> {
    await this.run(['kill', ...(all ? ['--all'] : []), id, String(signal)], id);
  }

  async delete(id: string, force = false): Promise<void> {
    const r = await runCommand(this.deps.binary, [
      ...this.globalArgs,
      'delete',
      ...(force ? ['--force'] : []),
      id,
    ]);
    if (r.code !== 0 && !/does not exist/.test(r.stderr))
      throw new FlotillaError('CONTAINER_RUNTIME_FAILED', {
        id,
        detail: `runc delete: ${runcMessage(r.stderr)}`,
      });
  }

  async pause(id: string): Promise<void> {
    await this.run(['pause', id], id);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id], id);
  }

  async ps(id: string): Promise<number[]> {
    const out = await this.run(['ps', '-f', 'json', id], id);
    return (JSON.parse(out || '[]') as number[] | null) ?? [];
  }
}
