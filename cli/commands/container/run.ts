// `create`, `run`, `start` and `attach`: create a container, attach to its stdio through a hijacked
// connection before it starts (so no output is lost), start it, and exit with its exit code.
// Failures exit as Docker's do: `run` 125 until its container runs (126/127 when the command cannot
// be invoked / is not found); `create` 125 for a bad option, 1 for the agent's refusal.
import { request } from 'node:http';
import type { Command } from 'commander';
import { FlotillaError, type ErrorBody } from '../../../shared/errors/index.js';
import type { ContainerCreateOptions } from '../../../shared/engine/index.js';
import type { CliContext } from '../../context.js';
import type { AgentClient } from '../../clients/agent-client.js';
import { parseFlags, runFailure } from '../../exit-status.js';
import { addCreateFlags, toCreateOptions, type CreateFlags } from './options.js';
import { hijack, pump } from './hijack.js';
import { createWithPull, pullPolicy, type PullPolicy } from './pull.js';
import { CidFile } from './cidfile.js';
import { proxySignals } from './signal-proxy.js';
import { addSigProxyFlag } from './placement-flags.js';

interface ParsedCreate {
  image: string;
  body: ContainerCreateOptions;
  pull: PullPolicy;
  cidfile: CidFile;
}

/** The flags of `create`/`run`, read as Docker's client-side `parse` does: errors exit 125. */
function parseCreate(image: string, args: string[], f: CreateFlags): ParsedCreate {
  return parseFlags(() => {
    const pull = pullPolicy(f.pull);
    const body = toCreateOptions(image, args, f);
    // Last: the file is made only once every other flag is known to be good.
    return { image, pull, body, cidfile: new CidFile(f.cidfile as string | undefined) };
  });
}

async function createContainer(c: CliContext, p: ParsedCreate): Promise<string> {
  const r = await createWithPull(
    c,
    p.image,
    p.pull,
    () =>
      c.agent().json<{ Id: string; Warnings: string[] }>({
        method: 'POST',
        path: '/containers/create',
        body: p.body,
      }),
    p.body.platform,
  ).catch((err: unknown) => {
    p.cidfile.discard();
    throw err;
  });
  p.cidfile.write(r.Id);
  // Docker's client prints the engine's warnings (an OOM killer disabled without a limit, …).
  for (const w of r.Warnings ?? []) c.err.write(`WARNING: ${w}\n`);
  return r.Id;
}

async function resize(agent: AgentClient, id: string): Promise<void> {
  if (!process.stdout.isTTY) return;
  await agent
    .json({
      method: 'POST',
      path: `/containers/${id}/resize`,
      query: { h: process.stdout.rows, w: process.stdout.columns },
    })
    .catch(() => undefined);
}

/** POST /wait?condition=next-exit, registered before start so a fast exit is never missed. */
function waitRequest(
  agent: AgentClient,
  id: string,
): { promise: Promise<{ StatusCode: number }>; abort(): void } {
  let req: ReturnType<typeof request> | undefined;
  const promise = new Promise<{ StatusCode: number }>((resolve, reject) => {
    req = request(
      {
        socketPath: agent.socketPath,
        method: 'POST',
        path: `/containers/${encodeURIComponent(id)}/wait?condition=next-exit`,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString()) as {
              StatusCode: number;
            } & ErrorBody;
            if ((res.statusCode ?? 500) >= 300) reject(FlotillaError.fromJSON(body));
            else resolve(body);
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
  return { promise, abort: () => req?.destroy() };
}

/** Attaches, optionally starts, and returns the exit code to leave with. */
async function attachAndRun(
  ctx: CliContext,
  id: string,
  o: {
    stdin: boolean;
    tty: boolean;
    start: boolean;
    autoRemove?: boolean;
    /** `run`: a failed start exits 125/126/127 (runFailure); for `start -a` it is an error, 1. */
    asRun?: boolean;
    /** Forward the CLI's signals to the container (Docker's --sig-proxy; never with a tty). */
    sigProxy?: boolean;
  },
): Promise<number> {
  const agent = ctx.agent();
  const { socket } = await hijack(agent, `/containers/${id}/attach`, {
    stdin: o.stdin ? '1' : '0',
    stdout: '1',
    stderr: '1',
  });
  const waited = waitRequest(agent, id);
  waited.promise.catch(() => undefined);
  const pumped = pump(socket, {
    stdin: o.stdin,
    tty: o.tty,
    out: ctx.out,
    err: ctx.err,
    onResize: o.tty ? () => void resize(agent, id) : undefined,
  });
  if (o.start) {
    try {
      await agent.json({ method: 'POST', path: `/containers/${id}/start` });
    } catch (err) {
      socket.destroy();
      waited.abort();
      if (o.autoRemove)
        await agent
          .json({ method: 'DELETE', path: `/containers/${id}`, query: { force: 1 } })
          .catch(() => undefined);
      throw o.asRun ? runFailure(err) : err;
    }
  }
  if (o.tty) void resize(agent, id);
  const unproxy =
    o.sigProxy && !o.tty
      ? proxySignals(agent, id, (err) => ctx.err.write(`Error: ${(err as Error).message}\n`))
      : () => undefined;
  const r = await pumped.finally(unproxy);
  if (r.detached) {
    waited.abort();
    return 0;
  }
  return (await waited.promise).StatusCode;
}

export function registerRunCommands(program: Command, ctx: () => CliContext): void {
  addCreateFlags(
    program
      .command('create')
      .description('Create a new container')
      .argument('<image>')
      .argument('[command...]'),
  )
    .passThroughOptions()
    .action(async (image: string, args: string[], f: CreateFlags) => {
      const id = await createContainer(ctx(), parseCreate(image, args, f));
      ctx().out.write(`${id}\n`);
    });

  addSigProxyFlag(
    addCreateFlags(
      program
        .command('run')
        .description('Create and run a new container from an image')
        .argument('<image>')
        .argument('[command...]'),
    ),
  )
    .option('-d, --detach', 'run container in background and print container ID')
    .passThroughOptions()
    .action(async (image: string, args: string[], f: CreateFlags) => {
      const c = ctx();
      const agent = c.agent();
      if (f.detach && f.sigProxy === true)
        parseFlags(() => {
          throw new FlotillaError('INVALID_FLAG_VALUE', {
            flag: '--sig-proxy',
            value: 'true',
            reason: 'conflicts with -d: a detached run has no attached CLI to forward signals from',
          });
        });
      if (f.tty && f.sigProxy === true)
        c.err.write('WARNING: --sig-proxy has no effect with -t: the terminal sends ^C itself\n');
      const parsed = parseCreate(image, args, f);
      const id = await createContainer(c, parsed).catch((err: unknown) => {
        throw runFailure(err);
      });
      if (f.detach) {
        try {
          await agent.json({ method: 'POST', path: `/containers/${id}/start` });
        } catch (err) {
          if (f.rm)
            await agent
              .json({ method: 'DELETE', path: `/containers/${id}`, query: { force: 1 } })
              .catch(() => undefined);
          throw runFailure(err);
        }
        c.out.write(`${id}\n`);
        return;
      }
      process.exitCode = await attachAndRun(c, id, {
        stdin: Boolean(f.interactive),
        tty: Boolean(f.tty),
        start: true,
        autoRemove: Boolean(f.rm),
        asRun: true,
        sigProxy: f.sigProxy !== false,
      });
    });

  program
    .command('start')
    .description('Start one or more stopped containers')
    .argument('<container...>')
    .option('-a, --attach', 'attach STDOUT/STDERR and forward signals')
    .option('-i, --interactive', "attach container's STDIN")
    .action(async (ids: string[], o: { attach?: boolean; interactive?: boolean }) => {
      const c = ctx();
      const agent = c.agent();
      if (o.attach || o.interactive) {
        const info = await agent.json<{ Id: string; Config: { Tty: boolean } }>({
          path: `/containers/${ids[0]}/json`,
        });
        process.exitCode = await attachAndRun(c, info.Id, {
          stdin: Boolean(o.interactive),
          tty: info.Config.Tty,
          start: true,
          sigProxy: true,
        });
        return;
      }
      await eachContainer(c, ids, (id) =>
        agent.json({ method: 'POST', path: `/containers/${id}/start` }),
      );
    });

  program
    .command('attach')
    .description('Attach local standard input, output, and error streams to a running container')
    .argument('<container>')
    .option('--no-stdin', 'do not attach STDIN')
    .action(async (ref: string, o: { stdin: boolean }) => {
      const c = ctx();
      const info = await c.agent().json<{
        Id: string;
        Config: { Tty: boolean; OpenStdin: boolean };
        State: { Running: boolean; Paused: boolean };
      }>({
        path: `/containers/${ref}/json`,
      });
      // The agent lets an attach wait for a start (`start -a` attaches first); a plain attach to
      // a container that is not running would wait forever, so it is refused, as Docker does.
      if (!info.State.Running) throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: ref });
      if (info.State.Paused) throw new FlotillaError('CONTAINER_PAUSED', { id: ref });
      process.exitCode = await attachAndRun(c, info.Id, {
        stdin: o.stdin && info.Config.OpenStdin,
        tty: info.Config.Tty,
        start: false,
      });
    });
}

/** Runs an operation per container like docker: prints each name on success, errors to stderr. */
export async function eachContainer(
  c: CliContext,
  ids: string[],
  fn: (id: string) => Promise<unknown>,
): Promise<void> {
  let failed: unknown;
  for (const id of ids) {
    try {
      await fn(id);
      c.out.write(`${id}\n`);
    } catch (err) {
      if (ids.length === 1) throw err;
      failed = err;
      c.err.write(`Error: ${(err as Error).message}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}
