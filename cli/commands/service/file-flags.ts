// `--secret` / `--config` on `service create` and `--secret-add/-rm`, `--config-add/-rm` on
// `service update`, parsed as Docker does (opts/secret.go): NAME, or source=,target=,uid=,gid=,mode=
// with mode read like strconv.ParseUint(v, 0, 32) (0400 is octal). The manager resolves names to
// ids and fills in the defaults.
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import {
  fileTargetProblem,
  secretNameProblem,
  type FileReference,
  type ServiceSpec,
} from '../../../shared/model/index.js';
import { collect } from '../../repeatable.js';

type Kind = 'secret' | 'config';

export interface FileCreateFlags {
  secret?: string[];
  config?: string[];
}

export interface FileUpdateFlags {
  secretAdd?: string[];
  secretRm?: string[];
  configAdd?: string[];
  configRm?: string[];
}

export function addFileCreateOptions(cmd: Command): Command {
  return cmd
    .option('--secret <spec>', 'give the service access to a secret (repeatable)', collect)
    .option('--config <spec>', 'give the service access to a config (repeatable)', collect);
}

export function addFileUpdateOptions(cmd: Command): Command {
  return cmd
    .option('--secret-add <spec>', 'add or update a secret on a service', collect)
    .option('--secret-rm <name>', 'remove a secret by its name or id', collect)
    .option('--config-add <spec>', 'add or update a config on a service', collect)
    .option('--config-rm <name>', 'remove a config by its name or id', collect);
}

/** `service create`: the references of --secret and --config. */
export function applyFileCreateFlags(spec: ServiceSpec, f: FileCreateFlags): void {
  const c = spec.taskTemplate.containerSpec;
  if (f.secret?.length)
    c.secrets = checked(
      'secret',
      f.secret.map((s) => parse('secret', s)),
    );
  if (f.config?.length)
    c.configs = checked(
      'config',
      f.config.map((s) => parse('config', s)),
    );
}

/** `service update`: removals first, then additions (an added name replaces one of that name). */
export function applyFileUpdateFlags(spec: ServiceSpec, f: FileUpdateFlags): void {
  const c = spec.taskTemplate.containerSpec;
  for (const kind of ['secret', 'config'] as const) {
    const rm = (kind === 'secret' ? f.secretRm : f.configRm) ?? [];
    const add = ((kind === 'secret' ? f.secretAdd : f.configAdd) ?? []).map((s) => parse(kind, s));
    if (!rm.length && !add.length) continue;
    const names = new Set([...rm, ...add.map((r) => r.name)]);
    const kept = (c[`${kind}s`] ?? []).filter((r) => !names.has(r.name) && !rm.includes(r.id));
    const next = checked(kind, [...kept, ...add]);
    if (next.length) c[`${kind}s`] = next;
    else delete c[`${kind}s`];
  }
}

/** One flag value: NAME or comma-separated key=value pairs. */
export function parse(kind: Kind, s: string): FileReference {
  const flag = `--${kind}`;
  const r: FileReference = { id: '', name: '', target: '', uid: '', gid: '', mode: 0o444 };
  if (!s.includes('=')) r.name = s;
  else
    for (const part of s.split(',')) {
      const i = part.indexOf('=');
      const [k, v] = i < 0 ? [part, ''] : [part.slice(0, i).toLowerCase(), part.slice(i + 1)];
      if (k === 'source' || k === 'src') r.name = v;
      else if (k === 'target') r.target = v;
      else if (k === 'uid' || k === 'gid') {
        if (!/^\d+$/.test(v)) throw bad(flag, s, `${k} must be a number`);
        r[k] = v;
      } else if (k === 'mode') r.mode = parseMode(flag, s, v);
      else throw bad(flag, s, `unknown key ${k}: use source, target, uid, gid or mode`);
    }
  const problem = secretNameProblem(r.name);
  if (problem) throw bad(flag, s, `source ${problem}`);
  if (r.target) {
    const t = fileTargetProblem(r.target);
    if (t) throw bad(flag, s, `target ${t}`);
  } else r.target = kind === 'secret' ? r.name : `/${r.name}`;
  r.uid ||= '0';
  r.gid ||= '0';
  return r;
}

/** Docker reads mode with base prefix detection: 0400 octal, 0x1a4 hex, 292 decimal. */
function parseMode(flag: string, s: string, v: string): number {
  let n = NaN;
  if (/^0[0-7]+$/.test(v)) n = parseInt(v.slice(1), 8);
  else if (/^0o[0-7]+$/i.test(v)) n = parseInt(v.slice(2), 8);
  else if (/^0x[0-9a-f]+$/i.test(v)) n = parseInt(v.slice(2), 16);
  else if (/^\d+$/.test(v)) n = parseInt(v, 10);
  if (!Number.isInteger(n) || n > 0o7777)
    throw bad(flag, s, 'mode must be file mode bits like 0400');
  return n;
}

function checked(kind: Kind, refs: FileReference[]): FileReference[] {
  const seen = new Set<string>();
  for (const r of refs) {
    if (seen.has(r.target))
      throw bad(`--${kind}`, r.name, `target ${r.target} is used by two ${kind}s`);
    seen.add(r.target);
  }
  return refs;
}

function bad(flag: string, value: string, reason: string): FlotillaError {
  return new FlotillaError('INVALID_FLAG_VALUE', { flag, value, reason });
}
