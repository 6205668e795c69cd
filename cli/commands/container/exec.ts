// `exec`: runs a command in a running container through a hijacked connection and exits with the
// command's exit code (127 not found, 126 not executable). As Docker's: an exec that could not be
// started once accepted exits 126; a refusal before that (no such container, not running) exits 1.
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { StatusError } from '../../exit-status.js';
import { collect } from '../../repeatable.js';
import { hijack, pump } from './hijack.js';

export function registerExecCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('exec')
    .description('Execute a command in a running container')
    .argument('<container>')
    .argument('<command...>')
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-e, --env <K=V>', 'set environment variables', collect)
    .option('-u, --user <user>', 'username or UID')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--privileged', 'give extended privileges to the command')
    .option('-d, --detach', 'detached mode: run command in the background')
    .passThroughOptions()
    .action(async (ref: string, cmd: string[], o: Record<string, unknown>) => {
      const c = ctx();
      const spec = {
        cmd,
        env: o.env as string[] | undefined,
        user: o.user as string | undefined,
        workingDir: o.workdir as string | undefined,
        tty: Boolean(o.tty),
        privileged: Boolean(o.privileged),
        // The terminal starts at the client's size and follows it (SIGWINCH → /exec/:id/resize).
        rows: o.tty && process.stdout.isTTY ? process.stdout.rows : undefined,
        cols: o.tty && process.stdout.isTTY ? process.stdout.columns : undefined,
      };
      const stdin = Boolean(o.interactive) && !o.detach;
      const agent = c.agent();
      const { socket, execId } = await hijack(agent, `/containers/${ref}/exec`, {
        spec: Buffer.from(JSON.stringify(spec)).toString('base64url'),
        stdin: stdin ? '1' : '0',
      });
      if (o.detach) {
        socket.unref();
        return;
      }
      const resize =
        o.tty && execId && process.stdout.isTTY
          ? () =>
              void agent
                .json({
                  method: 'POST',
                  path: `/exec/${execId}/resize`,
                  query: { h: process.stdout.rows, w: process.stdout.columns },
                })
                .catch(() => undefined)
          : undefined;
      const r = await pump(socket, {
        stdin,
        tty: Boolean(o.tty),
        out: c.out,
        err: c.err,
        onResize: resize,
      });
      if (r.error) throw new StatusError(126, r.error);
      process.exitCode = r.exitCode ?? (r.detached ? 0 : 126);
    });
}
