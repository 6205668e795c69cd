// `stack ls`, `stack services NAME`, `stack ps NAME`, `stack rm NAME...`: a stack is the services
// labelled com.docker.stack.namespace=NAME, so these read GET /services and /tasks and filter.
import { renderTableOr } from '../../format/render.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { Node, Service, Task } from '../../../shared/model/index.js';
import { STACK_NAMESPACE_LABEL } from '../../../shared/stack/index.js';
import type { ManagerClient } from '../../clients/manager-client.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { renderJsonLines } from '../../render/table.js';
import { renderServiceList, taskRows, type ServiceListItem } from '../../render/services.js';
import { removeStackFiles } from './file-objects.js';

const stackOf = (s: Service) => s.spec.labels[STACK_NAMESPACE_LABEL];

export async function stackServices(
  client: ManagerClient,
  name: string,
): Promise<ServiceListItem[]> {
  const all = await client.json<ServiceListItem[]>({ path: '/services' });
  return all.filter((s) => stackOf(s) === name);
}

export async function runStackLs(ctx: CliContext, o: { format?: string }): Promise<void> {
  const all = await managerClient(ctx).json<Service[]>({ path: '/services' });
  const counts = new Map<string, number>();
  for (const s of all) {
    const n = stackOf(s);
    if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const rows = [...counts].sort(([a], [b]) => a.localeCompare(b));
  if (o.format === 'json')
    return void ctx.out.write(
      renderJsonLines(rows.map(([Name, Services]) => ({ Name, Services }))),
    );
  ctx.out.write(
    renderTableOr(
      o.format,
      ['Name', 'Services'],
      ['NAME', 'SERVICES'],
      rows.map(([n, c]) => [n, String(c)]),
    ),
  );
}

export async function runStackServices(
  ctx: CliContext,
  name: string,
  o: { quiet?: boolean; format?: string },
): Promise<void> {
  const list = await stackServices(managerClient(ctx), name);
  if (list.length === 0) throw new FlotillaError('STACK_NOT_FOUND', { name });
  ctx.out.write(renderServiceList(list, o));
}

export async function runStackPs(
  ctx: CliContext,
  name: string,
  o: { quiet?: boolean; format?: string },
): Promise<void> {
  const client = managerClient(ctx);
  const list = await stackServices(client, name);
  if (list.length === 0) throw new FlotillaError('STACK_NOT_FOUND', { name });
  const ids = new Set(list.map((s) => s.id));
  const tasks = (await client.json<Task[]>({ path: '/tasks' })).filter((t) => ids.has(t.serviceId));
  if (o.quiet) return void ctx.out.write(tasks.map((t) => `${t.id}\n`).join(''));
  if (o.format === 'json') return void ctx.out.write(renderJsonLines(tasks));
  const nodes = new Map((await client.json<Node[]>({ path: '/nodes' })).map((n) => [n.id, n]));
  ctx.out.write(
    renderTableOr(
      o.format,
      ['ID', 'Name', 'Image', 'Node', 'DesiredState', 'CurrentState', 'Error', 'Ports'],
      ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'],
      taskRows(tasks, new Map(list.map((s) => [s.id, s])), nodes),
    ),
  );
}

/** Removes every service of each stack; with wait, returns once their tasks are gone. */
export async function removeStacks(
  client: ManagerClient,
  names: string[],
  o: { out: NodeJS.WritableStream; wait?: boolean; pollMs?: number },
): Promise<void> {
  const removed = new Set<string>();
  let missing: string | undefined;
  for (const name of names) {
    const list = await stackServices(client, name);
    for (const s of list.sort((a, b) => a.spec.name.localeCompare(b.spec.name))) {
      o.out.write(`Removing service ${s.spec.name}\n`);
      await client.json({ method: 'DELETE', path: `/services/${s.id}` });
      removed.add(s.id);
    }
    // Secrets and configs once no service of the stack uses them.
    const files = await removeStackFiles(client, name, o.out);
    if (list.length === 0 && files === 0) missing = name;
  }
  // The stack's networks: the manager removes each once the tasks still stopping are gone.
  let networkError: unknown;
  const networks = await client.json<
    { id: string; spec: { name: string; labels: Record<string, string> } }[]
  >({
    path: '/networks',
  });
  for (const n of networks.filter((x) =>
    names.includes(x.spec.labels[STACK_NAMESPACE_LABEL] ?? ''),
  ))
    try {
      o.out.write(`Removing network ${n.spec.name}\n`);
      await client.json({ method: 'DELETE', path: `/networks/${n.id}` });
    } catch (err) {
      networkError ??= err;
    }
  if (o.wait && removed.size > 0) {
    for (;;) {
      const tasks = await client.json<Task[]>({ path: '/tasks' });
      if (!tasks.some((t) => removed.has(t.serviceId))) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
  }
  if (networkError) throw networkError;
  if (missing) throw new FlotillaError('STACK_NOT_FOUND', { name: missing });
}
