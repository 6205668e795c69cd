// The image being built between steps: its config (runtime settings, rootfs diff ids, history) and
// its layer records. Metadata instructions (ENV, LABEL, CMD …) change only the config; the builder
// adds layers. Keeping the whole config here is what makes a cached step reproduce the same id.
import { parseDurationNs } from '../../../shared/units/index.js';
import { shortId } from '../names.js';
import type { HistoryEntry, ImageConfig } from '../service-types.js';
import type { LayerRecord } from '../store/image-store.js';
import { dockerfileError, parseKeyValues, splitWords, type Instruction } from './dockerfile.js';
import { imageIdOf } from './image-writer.js';

export interface BuildState {
  config: ImageConfig;
  layers: LayerRecord[];
}

/** The run-time part of an image config, in Docker's field names. */
export interface RunConfig {
  Env?: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
  Volumes?: Record<string, object>;
  StopSignal?: string;
  Shell?: string[];
  Healthcheck?: {
    Test: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  };
  OnBuild?: string[] | null;
  [key: string]: unknown;
}

export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function scratchState(architecture: string): BuildState {
  return {
    config: {
      architecture,
      os: 'linux',
      config: { Env: [`PATH=${defaultPath}`] },
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    },
    layers: [],
  };
}

export function runConfig(state: BuildState): RunConfig {
  state.config.config ??= {};
  return state.config.config as RunConfig;
}

export function stateId(state: BuildState): string {
  return imageIdOf(state.config);
}

export function shortStateId(state: BuildState): string {
  return shortId(stateId(state));
}

export function chainIdsOf(state: BuildState): string[] {
  return state.layers.map((l) => l.chainId);
}

export function cloneState(state: BuildState): BuildState {
  return structuredClone(state);
}

/** Appends a history entry and, for a layer step, the layer; stamps `created`. */
export function recordStep(
  state: BuildState,
  createdBy: string,
  layer?: LayerRecord,
  extra: Partial<HistoryEntry> = {},
): void {
  const created = new Date().toISOString();
  state.config.created = created;
  state.config.history ??= [];
  const entry: HistoryEntry = { created, created_by: createdBy, ...extra };
  if (layer) {
    state.layers.push(layer);
    state.config.rootfs.diff_ids.push(layer.diffId);
  } else entry.empty_layer = true;
  state.config.history.push(entry);
}

/** `Env` as a map, in order. */
export function envMap(state: BuildState): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of runConfig(state).Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) out.set(kv.slice(0, eq), kv.slice(eq + 1));
    else out.set(kv, '');
  }
  return out;
}

export function setEnv(state: BuildState, key: string, value: string): void {
  const env = envMap(state);
  env.set(key, value);
  runConfig(state).Env = [...env].map(([k, v]) => `${k}=${v}`);
}

/** Exec-form args, or shell form wrapped in the current SHELL. */
export function commandOf(ins: Instruction, text: string, state: BuildState): string[] {
  if (ins.json) return ins.json;
  return [...shellOf(state), text];
}

export function shellOf(state: BuildState): string[] {
  const sh = runConfig(state).Shell;
  return sh && sh.length > 0 ? sh : ['/bin/sh', '-c'];
}

/**
 * Applies an instruction that changes only the config. `text` is the instruction's arguments after
 * variable expansion (for the instructions Docker expands). Returns false for other instructions.
 */
export function applyMetadata(
  state: BuildState,
  ins: Instruction,
  text: string,
  file: string,
): boolean {
  const rc = runConfig(state);
  switch (ins.name) {
    case 'ENV':
      for (const [k, v] of parseKeyValues(text, file, ins.line, 'ENV')) setEnv(state, k, v);
      return true;
    case 'LABEL':
      rc.Labels = { ...(rc.Labels ?? {}) };
      for (const [k, v] of parseKeyValues(text, file, ins.line, 'LABEL')) rc.Labels[k] = v;
      return true;
    case 'MAINTAINER':
      state.config.author = text;
      return true;
    case 'CMD':
      rc.Cmd = commandOf(ins, text, state);
      return true;
    case 'ENTRYPOINT':
      rc.Entrypoint = ins.json ?? (text === '' ? null : commandOf(ins, text, state));
      // Docker: setting ENTRYPOINT drops a CMD inherited from the base image (but keeps one set
      // earlier in this Dockerfile; we keep it whenever it comes from this build's history).
      return true;
    case 'USER':
      rc.User = text;
      return true;
    case 'EXPOSE': {
      rc.ExposedPorts = { ...(rc.ExposedPorts ?? {}) };
      for (const p of splitWords(text)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p))
          throw dockerfileError(file, ins.line, `invalid port "${p}" in EXPOSE`);
        rc.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      return true;
    }
    case 'VOLUME': {
      rc.Volumes = { ...(rc.Volumes ?? {}) };
      for (const v of ins.json ?? splitWords(text)) {
        if (v.trim() === '')
          throw dockerfileError(file, ins.line, 'VOLUME specified can not be empty');
        rc.Volumes[v] = {};
      }
      return true;
    }
    case 'STOPSIGNAL':
      if (!/^(SIG)?[A-Z0-9+]+$/i.test(text))
        throw dockerfileError(file, ins.line, `invalid stop signal "${text}"`);
      rc.StopSignal = text;
      return true;
    case 'SHELL':
      rc.Shell = ins.json;
      return true;
    case 'HEALTHCHECK':
      rc.Healthcheck = healthcheckOf(ins, text, file, state);
      return true;
    case 'ONBUILD':
      rc.OnBuild = [...(rc.OnBuild ?? []), text];
      return true;
    default:
      return false;
  }
}

function healthcheckOf(
  ins: Instruction,
  text: string,
  file: string,
  state: BuildState,
): NonNullable<RunConfig['Healthcheck']> {
  const allowed = new Set(['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
  for (const f of Object.keys(ins.flags))
    if (!allowed.has(f)) throw dockerfileError(file, ins.line, `unknown flag: --${f}`);
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  const kind = m?.[1].toUpperCase();
  if (kind === 'NONE') {
    if (m?.[2] || Object.keys(ins.flags).length > 0)
      throw dockerfileError(file, ins.line, 'HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind !== 'CMD' || !m?.[2])
    throw dockerfileError(file, ins.line, 'HEALTHCHECK requires NONE or CMD followed by a command');
  const args = m[2].trim();
  let json: string[] | undefined;
  if (args.startsWith('[')) {
    try {
      const v = JSON.parse(args) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
    } catch {}
  }
  const dur = (name: string): number | undefined => {
    const v = ins.flags[name];
    if (v === undefined) return undefined;
    try {
      return parseDurationNs(v, `--${name}`);
    } catch {
      throw dockerfileError(file, ins.line, `invalid duration "${v}" for --${name}`);
    }
  };
  const out: NonNullable<RunConfig['Healthcheck']> = {
    Test: json ? ['CMD', ...json] : ['CMD-SHELL', args],
  };
  void state;
  const interval = dur('interval');
  const timeout = dur('timeout');
  const start = dur('start-period');
  if (interval !== undefined) out.Interval = interval;
  if (timeout !== undefined) out.Timeout = timeout;
  if (start !== undefined) out.StartPeriod = start;
  if (ins.flags.retries !== undefined) {
    const r = Number(ins.flags.retries);
    if (!Number.isInteger(r) || r < 0)
      throw dockerfileError(file, ins.line, `invalid value "${ins.flags.retries}" for --retries`);
    out.Retries = r;
  }
  return out;
}

/** Docker's classic history text: `/bin/sh -c #(nop)  ENV A=b`. */
export function nopCreatedBy(text: string): string {
  return `/bin/sh -c #(nop)  ${text}`;
}
