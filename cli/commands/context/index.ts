// `flotilla context ls|use|create|inspect|export|import|rm`: which cluster the cluster commands
// talk to, as Docker's context commands. A bundle (contexts/bundle.ts) carries a whole context.
import { renderTableOr } from '../../format/render.js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { readAll } from '../../clients/agent-client.js';
import { ContextStore, makeBundle, readBundle, writeBundle } from '../../contexts/index.js';
import type { CliContext } from '../../context.js';
import { collect } from '../../repeatable.js';
import { renderJsonLines } from '../../render/table.js';

export function registerContextCommands(program: Command, ctx: () => CliContext): void {
  const context = program.command('context').description('Manage cluster contexts');

  context
    .command('ls')
    .alias('list')
    .description('List contexts')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .option('-q, --quiet', 'only show context names')
    .action((o: { format?: string; quiet?: boolean }) => {
      const store = new ContextStore();
      const current = ctx().contextName ?? store.current();
      const list = store.list();
      if (o.quiet) return void ctx().out.write(list.map((c) => c.name + '\n').join(''));
      if (o.format === 'json')
        return void ctx().out.write(
          renderJsonLines(list.map((c) => ({ ...c, current: c.name === current }))),
        );
      ctx().out.write(
        renderTableOr(
          o.format,
          ['Name', 'Description', 'Cluster', 'Managers'],
          ['NAME', 'DESCRIPTION', 'CLUSTER', 'MANAGERS'],
          list.map((c) => [
            c.name + (c.name === current ? ' *' : ''),
            c.description ?? '',
            c.clusterId,
            c.managers.join(','),
          ]),
        ),
      );
    });

  context
    .command('use')
    .description('Set the current context')
    .argument('<name>')
    .action((name: string) => {
      new ContextStore().use(name);
      ctx().out.write(`${name}\nCurrent context is now "${name}"\n`);
    });

  context
    .command('create')
    .description('Create a context from certificate files, or from another context')
    .argument('<name>')
    .option(
      '--manager <addr>',
      'manager API address HOST:PORT (repeatable, comma separated)',
      collect,
    )
    .option('--ca <file>', 'CA certificate of the cluster')
    .option('--cert <file>', 'client (admin) certificate')
    .option('--key <file>', 'key of the client certificate')
    .option('--from <context>', 'copy managers and credentials from this context')
    .option('--description <text>', 'description of the context')
    .action(
      (
        name: string,
        o: {
          manager?: string[];
          ca?: string;
          cert?: string;
          key?: string;
          from?: string;
          description?: string;
        },
      ) => {
        const store = new ContextStore();
        if (store.has(name)) throw new FlotillaError('CONTEXT_ALREADY_EXISTS', { name });
        const from = o.from ? store.get(o.from) : undefined;
        const pem = from ? store.pem(from.name) : undefined;
        const file = (flag: string, path: string | undefined, fallback?: string): string => {
          if (path) return readFileSync(path, 'utf8');
          if (fallback !== undefined) return fallback;
          throw new FlotillaError('INVALID_ARGUMENT', {
            detail: `context create needs --${flag} (or --from CONTEXT)`,
          });
        };
        const caCertPem = file('ca', o.ca, pem?.caCertPem);
        const managers = o.manager?.flatMap((m) => m.split(',')).filter(Boolean) ?? from?.managers;
        if (!managers?.length)
          throw new FlotillaError('INVALID_ARGUMENT', {
            detail: 'context create needs --manager HOST:PORT (or --from CONTEXT)',
          });
        store.save(
          {
            name,
            clusterId: from?.clusterId ?? clusterIdOf(caCertPem),
            managers,
            ...(o.description ? { description: o.description } : {}),
          },
          {
            caCertPem,
            certPem: file('cert', o.cert, pem?.certPem),
            keyPem: file('key', o.key, pem?.keyPem),
          },
        );
        ctx().out.write(`${name}\nSuccessfully created context "${name}"\n`);
      },
    );

  context
    .command('inspect')
    .description('Display detailed information on one or more contexts')
    .argument('[names...]', 'contexts (default: the current one)')
    .action((names: string[]) => {
      const store = new ContextStore();
      const list = names.length ? names : [store.resolve(ctx().contextName).name];
      const docs = list.map((n) => {
        const c = store.get(n);
        const cert = new X509Certificate(readFileSync(c.tls.certFile));
        return { ...c, certificate: { subject: cert.subject, validTo: cert.validTo } };
      });
      ctx().out.write(JSON.stringify(docs, null, 4) + '\n');
    });

  context
    .command('export')
    .description('Export a context to a bundle file (it holds the private key: keep it safe)')
    .argument('<name>')
    .argument('[file]', 'bundle file, or - for stdout (default NAME.flotilla-context)')
    .action((name: string, file: string | undefined) => {
      const store = new ContextStore();
      const c = store.get(name);
      const bundle = makeBundle({
        name: c.name,
        clusterId: c.clusterId,
        managers: c.managers,
        ...(c.description ? { description: c.description } : {}),
        ...store.pem(name),
      });
      if (file === '-') return void ctx().out.write(JSON.stringify(bundle, null, 2) + '\n');
      const target = file ?? `${name}.flotilla-context`;
      writeBundle(bundle, target);
      ctx().err.write(`Written file "${target}"\n`);
    });

  context
    .command('import')
    .description('Import a context from a bundle file (`cluster admin add`, `context export`)')
    .argument('<name-or-file>', "context name, or the file when the name is the bundle's")
    .argument('[file]', 'bundle file, or - for stdin')
    .action(async (first: string, second: string | undefined) => {
      const file = second ?? first;
      const text = file === '-' ? await readAll(process.stdin) : undefined;
      const bundle = readBundle(file === '-' ? 'stdin' : file, text);
      const name = second ? first : bundle.name;
      const store = new ContextStore();
      if (store.has(name)) throw new FlotillaError('CONTEXT_ALREADY_EXISTS', { name });
      store.save(
        {
          name,
          clusterId: bundle.clusterId,
          managers: bundle.managers,
          ...(bundle.description ? { description: bundle.description } : {}),
        },
        bundle,
      );
      ctx().out.write(`${name}\nSuccessfully imported context "${name}"\n`);
    });

  context
    .command('rm')
    .alias('remove')
    .description('Remove one or more contexts')
    .argument('<names...>')
    .option('-f, --force', 'remove the context even if it is in use')
    .action((names: string[], o: { force?: boolean }) => {
      const store = new ContextStore();
      for (const n of names) {
        store.remove(n, o.force);
        ctx().out.write(`${n}\n`);
      }
    });
}

/** The cluster id is the O of the cluster's root certificate (manager/ca/pki.ts). */
function clusterIdOf(caCertPem: string): string {
  try {
    const subject = new X509Certificate(caCertPem).subject;
    const o = /^O=(.+)$/m.exec(subject)?.[1];
    if (o) return o;
  } catch {
    // reported below
  }
  throw new FlotillaError('INVALID_ARGUMENT', {
    detail: '--ca is not the root certificate of a Flotilla cluster',
  });
}
