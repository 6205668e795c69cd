// `flotilla service create|ls|inspect|ps|scale|rm`: the client side of services. Creating a service
// writes its spec; the manager's orchestrator and scheduler make the tasks.
import { renderTableOr } from '../../format/render.js';
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Node, Service, Task } from '../../../shared/model/index.js';
import { formatBytes, formatDurationNs } from '../../../shared/units/index.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { parseFlags } from '../../exit-status.js';
import { renderJsonLines } from '../../render/table.js';
import { collect } from '../../repeatable.js';
import { createSpec, type CreateFlags } from './create-spec.js';
import { addRuntimeCreateOptions } from './runtime-flags.js';
import { renderServiceList, taskRows, type ServiceListItem } from '../../render/services.js';
import { waitForConvergence } from '../../convergence.js';
import { registerServiceLogs } from './logs.js';
import { registerServiceRollback } from './rollback.js';
import { registerServiceUpdate } from './update.js';
import { addTaskSpecOptions } from './task-flags.js';
import { addFileCreateOptions } from './file-flags.js';
import { addImageOptions, imageRequest, printWarnings, type ImageFlags } from './image-flags.js';

interface PsFlags {
  quiet?: boolean;
  format?: string;
  filter?: string[];
  /** false with --no-trunc (commander's negation). */
  trunc?: boolean;
}

export function registerServiceCommands(program: Command, ctx: () => CliContext): void {
  // Options after the image belong to the service's command (`IMAGE sh -c …`), as in Docker.
  const service = program
    .command('service')
    .description('Manage services')
    .enablePositionalOptions();

  const create = addImageOptions(
    addRuntimeCreateOptions(
      addFileCreateOptions(
        addTaskSpecOptions(
          service
            .command('create')
            .description('Create a new service')
            .passThroughOptions()
            .argument('<image>')
            .argument('[command...]')
            .option('--name <name>', 'service name')
            .option('--replicas <n>', 'number of tasks')
            .option('--mode <mode>', 'replicated or global', 'replicated')
            .option('-e, --env <VAR=value>', 'set an environment variable (repeatable)', collect)
            .option(
              '-p, --publish <spec>',
              'publish a port: [PUBLISHED:]TARGET or mode=host,target=,published=',
              collect,
            )
            .option(
              '--network <network>',
              'attach to a network: NAME[,alias=A] or name=NAME,alias=A (repeatable)',
              collect,
            )
            .option('--endpoint-mode <mode>', 'vip (default) or dnsrr')
            .option('--constraint <expr>', 'placement constraint (repeatable)', collect)
            .option(
              '--placement-pref <pref>',
              'placement preference spread=... (repeatable)',
              collect,
            )
            .option(
              '--mount <spec>',
              'attach a mount type=bind|volume|tmpfs,... (repeatable)',
              collect,
            )
            .option('-l, --label <k=v>', 'service label (repeatable)', collect)
            .option('--container-label <k=v>', 'container label (repeatable)', collect)
            .option('--update-parallelism <n>', 'tasks updated at once')
            .option('--update-delay <duration>', 'delay between updates')
            .option('--update-failure-action <a>', 'pause, continue or rollback')
            .option('--update-monitor <duration>', 'time to monitor each updated task')
            .option('--update-order <o>', 'stop-first or start-first')
            .option('--update-max-failure-ratio <r>', 'failure rate to tolerate during an update')
            .option('--rollback-parallelism <n>', 'tasks rolled back at once (0 = all)')
            .option('--rollback-delay <duration>', 'delay between task rollbacks')
            .option('--rollback-failure-action <a>', 'pause or continue')
            .option('--rollback-monitor <duration>', 'time to monitor each rolled back task')
            .option(
              '--rollback-max-failure-ratio <r>',
              'failure rate to tolerate during a rollback',
            )
            .option('--rollback-order <o>', 'stop-first or start-first')
            .option(
              '-d, --detach',
              'exit immediately instead of waiting for the service to converge',
            )
            .option('-q, --quiet', 'suppress progress output'),
        ),
      ),
    ),
  );
  create.action(
    async (
      image: string,
      args: string[],
      f: CreateFlags & ImageFlags & { detach?: boolean; quiet?: boolean },
    ) => {
      const spec = parseFlags(() => createSpec(image, args, f));
      const client = managerClient(ctx());
      const extra = await imageRequest(f, image, true, ctx().err);
      const res = await client.json<{ id: string; warnings?: string[] }>({
        method: 'POST',
        path: '/services',
        body: { spec, ...extra },
      });
      printWarnings(res.warnings, ctx().err);
      ctx().out.write(`${res.id}\n`);
      if (!f.detach) await waitForConvergence(client, res.id, { out: ctx().out, quiet: f.quiet });
    },
  );

  service
    .command('ls')
    .alias('list')
    .description('List services')
    .option('-q, --quiet', 'only display IDs')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const list = await managerClient(ctx()).json<ServiceListItem[]>({ path: '/services' });
      ctx().out.write(renderServiceList(list, o));
    });

  service
    .command('inspect')
    .description('Display detailed information on one or more services')
    .argument('<service...>')
    .option('--pretty', 'print the information in a human friendly format')
    .action(async (refs: string[], o: { pretty?: boolean }) => {
      const client = managerClient(ctx());
      const list: ServiceListItem[] = [];
      for (const r of refs)
        list.push(
          await client.json<ServiceListItem>({ path: `/services/${encodeURIComponent(r)}` }),
        );
      const out = ctx().out;
      if (!o.pretty) return void out.write(JSON.stringify(list, null, 4) + '\n');
      out.write(list.map(pretty).join('\n'));
    });

  service
    .command('ps')
    .description('List the tasks of one or more services')
    .argument('<service...>')
    .option('-q, --quiet', 'only display task IDs')
    .option('--no-trunc', 'do not truncate output (task ids, image digests)')
    .option('--format <format>', "'json' (one JSON document per line) or a Go template")
    .option(
      '-f, --filter <filter>',
      'desired-state=running|shutdown|remove, node=NODE (repeatable)',
      collect,
    )
    .action(async (refs: string[], o: PsFlags) => {
      const client = managerClient(ctx());
      const filters = Object.fromEntries((o.filter ?? []).map((f) => f.split('=', 2)));
      const services = new Map<string, Service>();
      const tasks: Task[] = [];
      for (const r of refs) {
        const s = await client.json<Service>({ path: `/services/${encodeURIComponent(r)}` });
        services.set(s.id, s);
        tasks.push(
          ...(await client.json<Task[]>({
            path: '/tasks',
            query: { service: s.id, desiredState: filters['desired-state'], node: filters.node },
          })),
        );
      }
      const out = ctx().out;
      if (o.quiet) return void out.write(tasks.map((t) => t.id + '\n').join(''));
      if (o.format === 'json') return void out.write(renderJsonLines(tasks));
      const nodes = new Map((await client.json<Node[]>({ path: '/nodes' })).map((n) => [n.id, n]));
      out.write(
        renderTableOr(
          o.format,
          ['ID', 'Name', 'Image', 'Node', 'DesiredState', 'CurrentState', 'Error', 'Ports'],
          ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'],
          taskRows(tasks, services, nodes, { noTrunc: o.trunc === false }),
        ),
      );
    });

  service
    .command('scale')
    .description('Scale one or more replicated services (SERVICE=REPLICAS ...)')
    .argument('<service=replicas...>')
    .option('-d, --detach', 'exit immediately instead of waiting for the service to converge')
    .action(async (pairs: string[], o: { detach?: boolean }) => {
      const client = managerClient(ctx());
      const scaled: { id: string; version: number }[] = [];
      const parsed = pairs.map((p) => {
        const m = /^(.+)=(\d+)$/.exec(p);
        if (!m)
          throw new FlotillaError('INVALID_ARGUMENT', {
            detail: `invalid scale specifier "${p}": expected SERVICE=REPLICAS`,
          });
        return { ref: m[1], replicas: Number(m[2]) };
      });
      let failed: unknown;
      for (const { ref, replicas } of parsed) {
        try {
          const s = await client.json<Service>({ path: `/services/${encodeURIComponent(ref)}` });
          if (!('replicated' in s.spec.mode))
            throw new FlotillaError('INVALID_ARGUMENT', {
              detail: `${ref}: scale can only be used with replicated mode`,
            });
          const spec = structuredClone(s.spec);
          spec.mode = { replicated: { replicas } };
          const res = await client.json<{ version: number }>({
            method: 'POST',
            path: `/services/${s.id}/update`,
            body: { version: s.version, spec },
          });
          ctx().out.write(`${ref} scaled to ${replicas}\n`);
          scaled.push({ id: s.id, version: res.version });
        } catch (err) {
          failed = err;
          ctx().err.write(`${ref}: ${(err as Error).message}\n`);
        }
      }
      if (!o.detach)
        for (const s of scaled)
          await waitForConvergence(client, s.id, { out: ctx().out, version: s.version });
      if (failed) throw failed;
    });

  service
    .command('rm')
    .alias('remove')
    .description('Remove one or more services')
    .argument('<service...>')
    .action(async (refs: string[]) => {
      const client = managerClient(ctx());
      let failed: unknown;
      for (const r of refs) {
        try {
          await client.json({ method: 'DELETE', path: `/services/${encodeURIComponent(r)}` });
          ctx().out.write(`${r}\n`);
        } catch (err) {
          failed = err;
          ctx().err.write(`Error: ${(err as Error).message}\n`);
        }
      }
      if (failed) throw failed;
    });

  registerServiceUpdate(service, ctx);
  registerServiceRollback(service, ctx);
  registerServiceLogs(service, ctx);
}

function pretty(s: ServiceListItem): string {
  const c = s.spec.taskTemplate.containerSpec;
  const t = s.spec.taskTemplate;
  const lines = [
    `ID:\t\t${s.id}`,
    `Name:\t\t${s.spec.name}`,
    ...(Object.keys(s.spec.labels).length
      ? ['Labels:', ...Object.entries(s.spec.labels).map(([k, v]) => ` ${k}=${v}`)]
      : []),
    'replicated' in s.spec.mode
      ? `Service Mode:\tReplicated\n Replicas:\t${s.spec.mode.replicated.replicas}`
      : 'Service Mode:\tGlobal',
    ...(t.placement.constraints.length
      ? ['Placement:', ` Constraints:\t[${t.placement.constraints.join(' ')}]`]
      : []),
    ...(s.updateStatus
      ? [
          'UpdateStatus:',
          ` State:\t\t${s.updateStatus.state}`,
          ...(s.updateStatus.startedAt ? [` Started:\t${s.updateStatus.startedAt}`] : []),
          ...(s.updateStatus.completedAt ? [` Completed:\t${s.updateStatus.completedAt}`] : []),
          ` Message:\t${s.updateStatus.message}`,
        ]
      : []),
    'UpdateConfig:',
    ` Parallelism:\t${s.spec.updateConfig.parallelism}`,
    ` On failure:\t${s.spec.updateConfig.failureAction}`,
    ` Monitoring Period: ${formatDurationNs(s.spec.updateConfig.monitorNs)}`,
    ` Delay:\t\t${formatDurationNs(s.spec.updateConfig.delayNs)}`,
    ` Max failure ratio: ${s.spec.updateConfig.maxFailureRatio}`,
    ` Update order:      ${s.spec.updateConfig.order}`,
    'RollbackConfig:',
    ` Parallelism:\t${s.spec.rollbackConfig.parallelism}`,
    ` On failure:\t${s.spec.rollbackConfig.failureAction}`,
    ` Monitoring Period: ${formatDurationNs(s.spec.rollbackConfig.monitorNs)}`,
    ` Max failure ratio: ${s.spec.rollbackConfig.maxFailureRatio}`,
    ` Rollback order:    ${s.spec.rollbackConfig.order}`,
    'ContainerSpec:',
    ` Image:\t\t${c.image}`,
    ...(c.args ? [` Args:\t\t${c.args.join(' ')}`] : []),
    ...(c.env.length ? [' Env:\t\t' + c.env.join(' ')] : []),
    ...(c.mounts.length
      ? [
          'Mounts:',
          ...c.mounts.map(
            (m) =>
              ` Target:\t${m.target}\n  Source:\t${m.source ?? ''}\n  ReadOnly:\t${Boolean(m.readOnly)}\n  Type:\t\t${m.type}`,
          ),
        ]
      : []),
    'Resources:',
    ...(t.resources.reservations.nanoCpus || t.resources.reservations.memoryBytes
      ? [
          ' Reservations:',
          ...(t.resources.reservations.nanoCpus
            ? [`  CPU:\t\t${t.resources.reservations.nanoCpus / 1e9}`]
            : []),
          ...(t.resources.reservations.memoryBytes
            ? [`  Memory:\t${formatBytes(t.resources.reservations.memoryBytes)}`]
            : []),
        ]
      : []),
    ...(t.resources.limits.nanoCpus || t.resources.limits.memoryBytes
      ? [
          ' Limits:',
          ...(t.resources.limits.nanoCpus
            ? [`  CPU:\t\t${t.resources.limits.nanoCpus / 1e9}`]
            : []),
          ...(t.resources.limits.memoryBytes
            ? [`  Memory:\t${formatBytes(t.resources.limits.memoryBytes)}`]
            : []),
        ]
      : []),
    `Endpoint Mode:\t${s.spec.endpointSpec.mode}`,
    // The ports as published: ingress ports the manager picked show their number.
    ...((s.endpoint?.ports ?? s.spec.endpointSpec.ports).length
      ? [
          'Ports:',
          ...(s.endpoint?.ports ?? s.spec.endpointSpec.ports).map(
            (p) =>
              ` PublishedPort = ${p.published ?? 0}\n  Protocol = ${p.protocol}\n  TargetPort = ${p.target}\n  PublishMode = ${p.mode}`,
          ),
        ]
      : []),
  ];
  return lines.join('\n') + '\n';
}
