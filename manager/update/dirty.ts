// Questions the updater asks of one task: does it run the service's current spec (dirty or not),
// has it stopped, is it ready (running, and healthy where a healthcheck exists), has it failed.
import type { PortConfig, Service, Task } from '../../shared/model/index.js';
import { isTerminal } from '../../shared/model/index.js';
import { canonical } from '../../shared/json/canonical.js';

// The updater asks every task on every pass, and a pass follows every burst of store events: at
// 100,000 tasks, canonical JSON of each task's spec per pass cost more CPU than everything else the
// manager did. Documents from the store's cache are deep-frozen and replaced (never changed) on
// update, so the answer can be kept per spec object; unfrozen objects (tests' copies) are not kept.
const templates = new WeakMap<object, string>();
const answers = new WeakMap<object, { template: string; differs: boolean }>();

function canonicalTemplate(service: Service): string {
  const t = service.spec.taskTemplate;
  if (!Object.isFrozen(t)) return canonical(t);
  let s = templates.get(t);
  if (s === undefined) templates.set(t, (s = canonical(t)));
  return s;
}

function templateDiffers(task: Task, service: Service): boolean {
  // Every change of a service's spec bumps its version, and a task's spec is the template of the
  // version it was created at: the same version is the same template.
  if (task.serviceVersion === service.version) return false;
  const template = canonicalTemplate(service);
  if (!Object.isFrozen(task.spec)) return canonical(task.spec) !== template;
  const known = answers.get(task.spec);
  if (known && known.template === template) return known.differs;
  const differs = canonical(task.spec) !== template;
  answers.set(task.spec, { template, differs });
  return differs;
}

/** Ports by what the user declared: a published port the manager picked is not a change. */
function portKeys(ports: readonly PortConfig[], declared: readonly PortConfig[]): string {
  const fixed = new Set(
    declared.filter((p) => p.published).map((p) => `${p.target}/${p.protocol}`),
  );
  return ports
    .map(
      (p) =>
        `${p.target}/${p.protocol}/${p.mode}` +
        (fixed.has(`${p.target}/${p.protocol}`) ? `:${p.published ?? 0}` : ''),
    )
    .sort()
    .join(',');
}

/**
 * A task is dirty when its task template (image, env, forceUpdate ...) or its ports differ from the
 * service's current spec: changing only the replica count or service labels replaces nothing.
 */
export function isDirty(task: Task, service: Service): boolean {
  if (templateDiffers(task, service)) return true;
  const declared = service.spec.endpointSpec.ports;
  const expected = service.endpoint?.ports ?? declared;
  if ((task.endpointPorts ?? []).length === 0 && expected.length === 0) return false;
  return portKeys(task.endpointPorts ?? [], declared) !== portKeys(expected, declared);
}

/** True once the task can no longer hold resources: terminal, or never reached an agent. */
export function isStopped(task: Task): boolean {
  return (
    isTerminal(task.status.state) ||
    task.status.state === 'new' ||
    task.status.state === 'pending' ||
    task.nodeId === undefined
  );
}

function hasHealthcheck(task: Task): boolean {
  const test = task.spec.containerSpec.healthcheck?.test;
  return Boolean(test && test.length > 0 && test[0] !== 'NONE');
}

/** Running, and healthy where the spec or the image has a healthcheck (the agent reports one). */
export function isReady(task: Task): boolean {
  if (task.status.state !== 'running') return false;
  const h = task.status.health;
  if (h === undefined) return !hasHealthcheck(task);
  return h === 'healthy';
}

/** Failed or ended early: counts against the update. A lost node (orphaned) does not. */
export function isFailure(task: Task): boolean {
  const s = task.status.state;
  if (s === 'failed' || s === 'rejected') return true;
  // A replica that exits is early termination, unless it was asked to stop.
  return s === 'complete' && (task.desiredState === 'running' || (task.status.exitCode ?? 0) !== 0);
}
