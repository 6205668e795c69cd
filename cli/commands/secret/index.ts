// `flotilla secret create|ls|inspect|rm` and `flotilla config create|ls|inspect|rm`, with Docker's
// arguments and columns. A secret's data goes up once and never comes back; a config's is shown by
// `config inspect --pretty`.
import { renderTableOr } from '../../format/render.js';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Secret } from '../../../shared/model/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { renderJsonLines } from '../../render/table.js';
import { collect } from '../../repeatable.js';
import { ago } from '../image/index.js';

type Kind = 'secret' | 'config';
type View = Pick<Secret, 'id' | 'version' | 'createdAt' | 'updatedAt'> & {
  spec: { name: string; labels: Record<string, string>; data?: string };
};

export function registerSecretCommands(program: Command, ctx: () => CliContext): void {
  register(program, ctx, 'secret');
  register(program, ctx, 'config');
}

function register(program: Command, ctx: () => CliContext, kind: Kind): void {
  const group = program.command(kind).description(`Manage ${kind}s`);
  const path = `/${kind}s`;

  group
    .command('create')
    .description(`Create a ${kind} from a file or STDIN as content`)
    .argument('<name>')
    .argument('<file>', 'a file, or - for STDIN')
    .option('-l, --label <k=v>', `${kind} labels (repeatable)`, collect)
    .action(async (name: string, file: string, o: { label?: string[] }) => {
      const data = file === '-' ? await readStdin() : await readFile(file).catch(noFile(file));
      const labels = Object.fromEntries(
        (o.label ?? []).map((kv) => {
          const i = kv.indexOf('=');
          return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
        }),
      );
      const r = await managerClient(ctx()).json<{ id: string }>({
        method: 'POST',
        path,
        body: { name, labels, data: data.toString('base64') },
      });
      ctx().out.write(`${r.id}\n`);
    });

  group
    .command('ls')
    .alias('list')
    .description(`List ${kind}s`)
    .option('-q, --quiet', 'only display IDs')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const items = await managerClient(ctx()).json<View[]>({ path });
      const out = ctx().out;
      if (o.quiet) return void out.write(items.map((s) => s.id + '\n').join(''));
      if (o.format === 'json') return void out.write(renderJsonLines(items));
      const when = (iso: string) => ago(Date.parse(iso) / 1000);
      out.write(
        kind === 'secret'
          ? renderTableOr(
              o.format,
              ['ID', 'Name', 'Driver', 'CreatedAt', 'UpdatedAt'],
              ['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED'],
              items.map((s) => [s.id, s.spec.name, '', when(s.createdAt), when(s.updatedAt)]),
            )
          : renderTableOr(
              o.format,
              ['ID', 'Name', 'CreatedAt', 'UpdatedAt'],
              ['ID', 'NAME', 'CREATED', 'UPDATED'],
              items.map((s) => [s.id, s.spec.name, when(s.createdAt), when(s.updatedAt)]),
            ),
      );
    });

  group
    .command('inspect')
    .description(`Display detailed information on one or more ${kind}s`)
    .argument(`<${kind}...>`)
    .option('--pretty', 'print the information in a human friendly format')
    .action(async (refs: string[], o: { pretty?: boolean }) => {
      const client = managerClient(ctx());
      const items: View[] = [];
      for (const r of refs)
        items.push(await client.json<View>({ path: `${path}/${encodeURIComponent(r)}` }));
      if (!o.pretty) return void ctx().out.write(JSON.stringify(items, null, 4) + '\n');
      ctx().out.write(items.map((s) => pretty(kind, s)).join('\n\n') + '\n');
    });

  group
    .command('rm')
    .alias('remove')
    .description(`Remove one or more ${kind}s`)
    .argument(`<${kind}...>`)
    .action(async (refs: string[]) => {
      const client = managerClient(ctx());
      let failed: unknown;
      for (const r of refs) {
        try {
          await client.json({ method: 'DELETE', path: `${path}/${encodeURIComponent(r)}` });
          ctx().out.write(`${r}\n`);
        } catch (err) {
          // As docker: the others are still removed, and the command fails at the end.
          failed ??= err;
          if (refs.length > 1) ctx().err.write(`Error: ${(err as Error).message}\n`);
        }
      }
      if (failed) throw failed;
    });
}

function pretty(kind: Kind, s: View): string {
  const labels = Object.entries(s.spec.labels);
  const lines = [
    `ID:              ${s.id}`,
    `Name:            ${s.spec.name}`,
    ...(labels.length ? ['Labels:', ...labels.map(([k, v]) => ` - ${k}=${v}`)] : []),
    ...(kind === 'secret' ? ['Driver:'] : []),
    `Created at:      ${s.createdAt}`,
    `Updated at:      ${s.updatedAt}`,
  ];
  // Docker prints a config's data; a secret's never leaves the manager.
  if (kind === 'config') lines.push('Data:', Buffer.from(s.spec.data ?? '', 'base64').toString());
  return lines.join('\n');
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function noFile(file: string) {
  return (err: NodeJS.ErrnoException): never => {
    throw new FlotillaError(
      'INVALID_FLAG_VALUE',
      { flag: 'file', value: file, reason: err.code === 'ENOENT' ? 'no such file' : err.message },
      { cause: err },
    );
  };
}
