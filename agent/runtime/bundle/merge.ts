// Docker's rules for combining an image's run-time config with the options of `create`:
// entrypoint/cmd, env (with PATH, HOSTNAME, TERM), user, workdir, stop signal, labels, ports,
// volumes and healthcheck. Pure: the bundle builder and `inspect` read the result.
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ContainerCreateOptions, HealthSpec } from '../types.js';

/** The run-time part of an OCI/Docker image config (`config` in the image JSON). */
export interface ImageRunConfig {
  User?: string;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, unknown> | null;
  Volumes?: Record<string, unknown> | null;
  Shell?: string[] | null;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    StartInterval?: number;
    Retries?: number;
  } | null;
}

/** The merged container config, shaped like Docker's `Config` in `inspect`. */
export interface MergedConfig {
  Hostname: string;
  User: string;
  Env: string[];
  Entrypoint: string[] | null;
  Cmd: string[] | null;
  /** What actually runs: entrypoint + cmd. Never empty. */
  Args: string[];
  WorkingDir: string;
  Labels: Record<string, string>;
  StopSignal: string;
  StopTimeout: number;
  ExposedPorts: Record<string, object>;
  Volumes: Record<string, object>;
  Healthcheck?: HealthSpec;
  Shell: string[];
  Tty: boolean;
  OpenStdin: boolean;
  Image: string;
}

export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function envKey(e: string): string {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
}

/** Later entries replace earlier ones by key, keeping the first position (Docker's ReplaceOrAppendEnvValues). */
export function mergeEnv(...lists: (string[] | undefined | null)[]): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const list of lists)
    for (const e of list ?? []) {
      const k = envKey(e);
      const at = index.get(k);
      if (at === undefined) {
        index.set(k, out.length);
        out.push(e);
      } else out[at] = e;
    }
  return out;
}

export function mergeArgs(
  image: ImageRunConfig,
  opts: Pick<ContainerCreateOptions, 'cmd' | 'entrypoint'>,
): { entrypoint: string[] | null; cmd: string[] | null; args: string[] } {
  let entrypoint: string[] | null;
  let cmd: string[] | null;
  if (opts.entrypoint !== undefined) {
    // An explicit entrypoint drops the image's CMD (docker: "--entrypoint resets CMD").
    entrypoint = opts.entrypoint.length ? opts.entrypoint : null;
    cmd = opts.cmd?.length ? opts.cmd : opts.entrypoint.length ? null : (image.Cmd ?? null);
  } else {
    entrypoint = image.Entrypoint?.length ? image.Entrypoint : null;
    cmd = opts.cmd?.length ? opts.cmd : image.Cmd?.length ? image.Cmd : null;
  }
  const args = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (args.length === 0) throw new FlotillaError('CONTAINER_NO_COMMAND');
  return { entrypoint, cmd, args };
}

function nsToMs(ns?: number): number | undefined {
  return ns ? Math.round(ns / 1e6) : undefined;
}

export function mergeHealth(
  image: ImageRunConfig['Healthcheck'],
  opts: Pick<ContainerCreateOptions, 'healthcheck' | 'noHealthcheck'>,
): HealthSpec | undefined {
  if (opts.noHealthcheck) return { test: ['NONE'] };
  const o = opts.healthcheck;
  const fromImage: HealthSpec | undefined = image?.Test?.length
    ? {
        test: image.Test,
        intervalMs: nsToMs(image.Interval),
        timeoutMs: nsToMs(image.Timeout),
        startPeriodMs: nsToMs(image.StartPeriod),
        startIntervalMs: nsToMs(image.StartInterval),
        retries: image.Retries || undefined,
      }
    : undefined;
  if (!o) return fromImage;
  // Field by field: zero or empty override fields inherit from the image.
  return {
    test: o.test?.length ? o.test : (fromImage?.test ?? ['NONE']),
    intervalMs: o.intervalMs || fromImage?.intervalMs,
    timeoutMs: o.timeoutMs || fromImage?.timeoutMs,
    startPeriodMs: o.startPeriodMs || fromImage?.startPeriodMs,
    startIntervalMs: o.startIntervalMs || fromImage?.startIntervalMs,
    retries: o.retries || fromImage?.retries,
  };
}

export function mergeConfig(
  imageRef: string,
  image: ImageRunConfig,
  opts: ContainerCreateOptions,
  hostname: string,
): MergedConfig {
  const { entrypoint, cmd, args } = mergeArgs(image, opts);
  const tty = Boolean(opts.tty);
  const base = [`PATH=${defaultPath}`, `HOSTNAME=${hostname}`, ...(tty ? ['TERM=xterm'] : [])];
  const exposed: Record<string, object> = {};
  for (const k of Object.keys(image.ExposedPorts ?? {}))
    exposed[k.includes('/') ? k : `${k}/tcp`] = {};
  for (const k of opts.expose ?? []) exposed[k] = {};
  for (const p of opts.ports ?? []) exposed[`${p.containerPort}/${p.protocol}`] = {};
  const volumes: Record<string, object> = {};
  for (const k of Object.keys(image.Volumes ?? {})) volumes[k] = {};
  return {
    Hostname: hostname,
    User: opts.user || image.User || '',
    // Image entries first, then the user's, each replacing by key (docker: override wins).
    Env: mergeEnv(base, image.Env, opts.env),
    Entrypoint: entrypoint,
    Cmd: cmd,
    Args: args,
    WorkingDir: opts.workingDir || image.WorkingDir || '/',
    Labels: { ...(image.Labels ?? {}), ...(opts.labels ?? {}) },
    StopSignal: opts.stopSignal || image.StopSignal || 'SIGTERM',
    StopTimeout: opts.stopTimeoutSec ?? 10,
    ExposedPorts: exposed,
    Volumes: volumes,
    Healthcheck: mergeHealth(image.Healthcheck, opts),
    Shell: image.Shell?.length ? image.Shell : ['/bin/sh', '-c'],
    Tty: tty,
    OpenStdin: Boolean(opts.openStdin),
    Image: imageRef,
  };
}
