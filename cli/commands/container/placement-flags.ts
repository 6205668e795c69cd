// `run`/`create` flags handled around the container rather than inside its process: --ip/--ip6,
// --platform, --volumes-from and --health-start-interval (sent to the agent, which checks them
// for Docker's API too), --label-file (read here), --cidfile and --sig-proxy (the CLI's own).
import { isIP } from 'node:net';
import type { Command } from 'commander';
import type { ContainerCreateOptions } from '../../../shared/engine/index.js';
import { parseDurationMs } from '../../../shared/units/index.js';
import { collect } from '../../repeatable.js';
import { invalidFlagValue, readFlagFile } from './flag-file.js';

/** Docker's boolean flag with an optional value: `--sig-proxy`, `--sig-proxy=false`. */
function bool(flag: string): (v: string) => boolean {
  return (v) => {
    if (['true', '1'].includes(v.toLowerCase())) return true;
    if (['false', '0'].includes(v.toLowerCase())) return false;
    throw invalidFlagValue(flag, v, `use ${flag}=true or ${flag}=false`);
  };
}

export function addPlacementFlags(cmd: Command): Command {
  return cmd
    .option('--ip <address>', 'IPv4 address on a user-defined network (e.g., 172.30.100.104)')
    .option('--ip6 <address>', 'IPv6 address (refused: Flotilla networks have no IPv6)')
    .option('--platform <platform>', 'set platform if server is multi-platform capable')
    .option('--cidfile <file>', 'write the container ID to the file')
    .option('--label-file <file>', 'read in a line delimited file of labels', collect)
    .option('--volumes-from <container>', 'mount volumes from the specified container(s)', collect)
    .option('--health-start-interval <d>', 'time between checks during the start period');
}

/** `run` only (Docker's `create` has no process to proxy to). */
export function addSigProxyFlag(cmd: Command): Command {
  return cmd.option(
    '--sig-proxy [bool]',
    'proxy received signals to the process (default true; --sig-proxy=false)',
    bool('--sig-proxy'),
  );
}

/** `--label-file`: `key=value` lines (a bare `key` is an empty label), `#` comments, blank lines. */
export function parseLabelFile(file: string): Record<string, string> {
  const text = readFlagFile('--label-file', file);
  const labels: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '').replace(/\r$/, '');
    if (!line || line.startsWith('#')) return;
    const at = line.indexOf('=');
    const key = at < 0 ? line.trimEnd() : line.slice(0, at);
    if (!key || /\s/.test(key))
      throw invalidFlagValue(
        '--label-file',
        file,
        `line ${i + 1}: "${key}" is not a label key (KEY=VALUE)`,
      );
    labels[key] = at < 0 ? '' : line.slice(at + 1);
  });
  return labels;
}

/** --volumes-from CONTAINER[:ro|:rw], checked here so a typo is a flag error (125). */
function checkVolumesFrom(spec: string): string {
  const m = /^([^:]+)(?::(.*))?$/.exec(spec);
  if (!m) throw invalidFlagValue('--volumes-from', spec, 'expected CONTAINER[:ro|:rw]');
  if (m[2] !== undefined && m[2] !== 'ro' && m[2] !== 'rw')
    throw invalidFlagValue('--volumes-from', spec, `unknown mode "${m[2]}" (use ro or rw)`);
  return spec;
}

/** The create options these flags set; `labels` from files, which --label overrides. */
export function placementOptions(f: Record<string, unknown>): Pick<
  ContainerCreateOptions,
  'ipv4Address' | 'platform' | 'volumesFrom'
> & {
  fileLabels: Record<string, string>;
  startIntervalMs?: number;
} {
  if (f.ip6 !== undefined)
    throw invalidFlagValue('--ip6', String(f.ip6), 'Flotilla networks have no IPv6 addresses');
  const ip = f.ip === undefined ? undefined : String(f.ip);
  if (ip !== undefined && isIP(ip) !== 4) throw invalidFlagValue('--ip', ip, 'not an IPv4 address');
  const platform = f.platform === undefined ? undefined : String(f.platform);
  if (platform !== undefined && !/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(platform))
    throw invalidFlagValue('--platform', platform, 'expected os/arch[/variant], e.g. linux/amd64');
  const from = ((f.volumesFrom as string[] | undefined) ?? []).map(checkVolumesFrom);
  let startIntervalMs: number | undefined;
  if (f.healthStartInterval !== undefined) {
    const text = String(f.healthStartInterval);
    startIntervalMs = parseDurationMs(text, '--health-start-interval');
    if (startIntervalMs <= 0)
      throw invalidFlagValue('--health-start-interval', text, 'must be a positive duration');
  }
  return {
    ...(ip ? { ipv4Address: ip } : {}),
    ...(platform ? { platform } : {}),
    ...(from.length ? { volumesFrom: from } : {}),
    fileLabels: Object.assign(
      {},
      ...((f.labelFile as string[] | undefined) ?? []).map(parseLabelFile),
    ) as Record<string, string>,
    startIntervalMs,
  };
}
