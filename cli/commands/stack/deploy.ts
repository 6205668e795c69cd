// `flotilla stack deploy -c FILE... [--prune] [-d|--detach=false] [--dry-run] NAME`: loads and
// checks the whole stack (shared/stack) before anything is sent, sends every service spec in one
// request (the manager checks them all and writes them in one transaction), prints what changed
// and, unless detached, waits for each created or updated service to converge. With --dry-run the
// manager plans the same transaction and abandons it (POST /stacks/NAME/plan); the plan is
// printed with field diffs.
import { formatChange, type FieldChange } from '../../../shared/json/field-diff.js';
import type { ServiceSpec } from '../../../shared/model/index.js';
import { loadStack, type StackNetwork } from '../../../shared/stack/index.js';
import type { ManagerClient } from '../../clients/manager-client.js';
import { managerClient } from '../../clients/manager-client.js';
import type { CliContext } from '../../context.js';
import { waitForConvergence } from '../../convergence.js';
import { parseFlags } from '../../exit-status.js';
import { readStackFiles, type StackFileInput } from './file-objects.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import { notLoggedIn, registryAuthFor, type RegistryAuthEntry } from '../../registry/index.js';

export interface StackDeployOptions {
  composeFile?: string[];
  prune?: boolean;
  detach?: boolean;
  quiet?: boolean;
  dryRun?: boolean;
  withRegistryAuth?: boolean;
  /** @default always */
  resolveImage?: string;
}

export interface StackDeployResult {
  created: { id: string; name: string; version: number }[];
  updated: { id: string; name: string; version: number; changes?: FieldChange[] }[];
  unchanged: { id: string; name: string; version: number }[];
  removed: { id: string; name: string }[];
  dryRun?: boolean;
  networksCreated?: { id: string; name: string }[];
  files?: { kind: string; name: string; object: string; state: string }[];
  filesRemoved?: { kind: string; name: string }[];
  /** Images the manager could not pin to a digest. */
  warnings?: string[];
}

/** What deploy sends beside the stack: `--with-registry-auth` and `--resolve-image`. */
export interface StackImageOptions {
  registryAuth?: RegistryAuthEntry[];
  resolveImage?: 'always' | 'changed' | 'never';
}

/** A stack network as the manager's stack route takes it (overlay networks only). */
export function networkRequest(n: StackNetwork) {
  return {
    name: n.name,
    external: n.external,
    driver: n.driver,
    ...(n.subnet ? { subnet: n.subnet } : {}),
    ...(n.gateway ? { gateway: n.gateway } : {}),
    attachable: n.attachable,
    internal: n.internal,
    labels: n.labels,
    options: n.driverOpts,
  };
}

/** Sends the specs; exported for tests, which call it with a client of their own. */
export async function deployStack(
  client: ManagerClient,
  name: string,
  services: ServiceSpec[],
  prune = false,
  dryRun = false,
  networks: StackNetwork[] = [],
  files: { secrets?: StackFileInput[]; configs?: StackFileInput[] } = {},
  images: StackImageOptions = {},
): Promise<StackDeployResult> {
  return client.json<StackDeployResult>({
    method: 'POST',
    path: `/stacks/${encodeURIComponent(name)}/${dryRun ? 'plan' : 'deploy'}`,
    body: { services, networks: networks.map(networkRequest), prune, ...files, ...images },
  });
}

const resolveModes = ['always', 'changed', 'never'] as const;

function resolveMode(given = 'always'): NonNullable<StackImageOptions['resolveImage']> {
  const mode = resolveModes.find((m) => m === given);
  if (!mode)
    throw new FlotillaError('INVALID_FLAG_VALUE', {
      flag: '--resolve-image',
      value: given,
      reason: 'must be always, changed or never',
    });
  return mode;
}

async function imageOptions(
  ctx: CliContext,
  o: StackDeployOptions,
  mode: StackImageOptions['resolveImage'],
  services: ServiceSpec[],
): Promise<StackImageOptions> {
  const images: StackImageOptions = { resolveImage: mode };
  if (o.withRegistryAuth)
    images.registryAuth = await registryAuthFor(
      services.map((s) => s.taskTemplate.containerSpec.image),
      (r) => ctx.err.write(notLoggedIn(r)),
    );
  return images;
}

export async function runStackDeploy(
  ctx: CliContext,
  name: string,
  o: StackDeployOptions,
): Promise<void> {
  const mode = parseFlags(() => resolveMode(o.resolveImage));
  // Loading throws on any problem in any file before anything is sent.
  const stack = loadStack(name, o.composeFile ?? []);
  for (const w of stack.warnings) ctx.err.write(`WARNING: ${w}\n`);
  const client = managerClient(ctx);
  // External ones are not read: the manager checks that they exist.
  const files = {
    secrets: readStackFiles('secret', stack.secrets),
    configs: readStackFiles('config', stack.configs),
  };
  const images = await imageOptions(ctx, o, mode, stack.services);
  const send = (dryRun: boolean) =>
    deployStack(client, name, stack.services, o.prune, dryRun, stack.networks, files, images);
  if (o.dryRun) {
    const plan = await send(true);
    for (const w of plan.warnings ?? []) ctx.err.write(`WARNING: ${w}\n`);
    return printPlan(ctx.out, plan);
  }
  const r = await send(false);
  for (const w of r.warnings ?? []) ctx.err.write(`WARNING: ${w}\n`);
  for (const n of r.networksCreated ?? []) ctx.out.write(`Creating network ${n.name}\n`);
  for (const f of r.files ?? [])
    if (f.state === 'created') ctx.out.write(`Creating ${f.kind} ${f.object}\n`);
    else if (f.state === 'new-version')
      ctx.out.write(
        `Updating ${f.kind} ${f.name}: its content changed, new version ${f.object} (the services using it roll)\n`,
      );
  for (const f of r.filesRemoved ?? []) ctx.out.write(`Removing ${f.kind} ${f.name}\n`);
  for (const s of r.removed) ctx.out.write(`Removing service ${s.name}\n`);
  for (const s of r.updated) ctx.out.write(`Updating service ${s.name} (id: ${s.id})\n`);
  for (const s of r.created) ctx.out.write(`Creating service ${s.name}\n`);
  if (o.detach) return;
  for (const s of [...r.created, ...r.updated]) {
    if (!o.quiet) ctx.out.write(`${s.name}\n`);
    await waitForConvergence(client, s.id, { out: ctx.out, version: s.version, quiet: o.quiet });
  }
}

function printPlan(out: NodeJS.WritableStream, plan: StackDeployResult): void {
  out.write('Dry run: nothing was changed.\n');
  for (const f of plan.files ?? [])
    if (f.state === 'created') out.write(`Would create ${f.kind} ${f.object}\n`);
    else if (f.state === 'new-version')
      out.write(`Would create ${f.kind} ${f.object} (new version of ${f.name}: content changed)\n`);
  for (const f of plan.filesRemoved ?? []) out.write(`Would remove ${f.kind} ${f.name}\n`);
  for (const s of plan.removed) out.write(`Would remove service ${s.name}\n`);
  for (const s of plan.updated) {
    out.write(`Would update service ${s.name} (id: ${s.id})\n`);
    for (const c of s.changes ?? []) out.write(`  ${formatChange(c)}\n`);
  }
  for (const s of plan.created) out.write(`Would create service ${s.name}\n`);
  for (const s of plan.unchanged) out.write(`Unchanged service ${s.name}\n`);
}
