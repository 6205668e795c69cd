// Creates the container from the task's spec. Restarts are the orchestrator's decision (a new task
// in the same slot), so the container itself never restarts.
import { containerName, labelsFor } from '../labels.js';
import { runtimeCreateOptions } from '../runtime-options.js';
import type { TaskHook } from '../types.js';

const nsToMs = (ns: number | undefined) => (ns === undefined ? undefined : Math.round(ns / 1e6));

export const createHook: TaskHook = {
  name: 'create',
  async run(ctx) {
    const c = ctx.task.spec.containerSpec;
    const limits = ctx.task.spec.resources.limits;
    const o = ctx.createOptions;
    o.image = ctx.task.resolvedImage ?? c.image;
    o.name = containerName(ctx.task);
    if (c.command) o.entrypoint = c.command;
    if (c.args) o.cmd = c.args;
    o.env = c.env;
    if (c.dir) o.workingDir = c.dir;
    if (c.user) o.user = c.user;
    if (c.hostname) o.hostname = c.hostname;
    o.labels = { ...c.labels, ...labelsFor(ctx.task, ctx.nodeId) };
    // After the secrets hook's read-only binds of the task's secret and config files.
    o.mounts = [...(o.mounts ?? []), ...c.mounts.map((m) => ({ ...m }))];
    if (c.stopSignal) o.stopSignal = c.stopSignal;
    if (c.stopGracePeriodNs !== undefined) o.stopTimeoutSec = Math.ceil(c.stopGracePeriodNs / 1e9);
    if (c.readOnly) o.readOnlyRootfs = true;
    if (c.init) o.init = true;
    Object.assign(o, runtimeCreateOptions(c));
    if (c.healthcheck) {
      if (c.healthcheck.test[0] === 'NONE') o.noHealthcheck = true;
      else
        o.healthcheck = {
          test: c.healthcheck.test,
          intervalMs: nsToMs(c.healthcheck.intervalNs),
          timeoutMs: nsToMs(c.healthcheck.timeoutNs),
          startPeriodMs: nsToMs(c.healthcheck.startPeriodNs),
          startIntervalMs: nsToMs(c.healthcheck.startIntervalNs),
          retries: c.healthcheck.retries,
        };
    }
    if (limits.memoryBytes) o.memoryBytes = limits.memoryBytes;
    if (limits.nanoCpus) o.nanoCpus = limits.nanoCpus;
    if (limits.pids) o.pidsLimit = limits.pids;
    if (c.logDriver?.name) o.logDriver = c.logDriver.name;
    if (c.logDriver?.options) o.logOpts = c.logDriver.options;
    o.restartPolicy = { name: 'no' };
    const { id } = await ctx.engine.create(o);
    ctx.containerId = id;
    ctx.report('ready', 'container created', { containerId: id });
  },
};
