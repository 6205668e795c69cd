// A benchmark's other half in its own process (so that its CPU time and memory are its own),
// spoken to over stdio: commands in, one JSON document per line out.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface JsonChild {
  child: ChildProcess;
  /** Writes one command line to the child's stdin. */
  send(line: string): void;
  /** The next output line that is a JSON object holding `key` (other lines are skipped). */
  next<T>(key: string): Promise<T>;
  /** Sends "exit" and waits for the process to end. */
  exit(): Promise<void>;
}

/** Starts `node [nodeArgs…] script`; its stderr goes to ours. */
export function startJsonChild(script: string, nodeArgs: string[] = []): JsonChild {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    send: (line) => void child.stdin!.write(`${line}\n`),
    async next<T>(key: string): Promise<T> {
      for (;;) {
        const { value, done } = await lines.next();
        if (done) throw new Error(`${script} exited`);
        try {
          const o = JSON.parse(value as string) as Record<string, unknown>;
          if (o && typeof o === 'object' && key in o) return o as T;
        } catch {
          // not a JSON line (a stray log line): skip it
        }
      }
    },
    async exit() {
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin!.write('exit\n');
      await gone;
    },
  };
}
