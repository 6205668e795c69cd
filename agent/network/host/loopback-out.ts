// Loopback clients of the routing mesh on remote tasks: `127.0.0.1:PORT` DNATed to a task on
// another machine leaves with source 127.0.0.1 until POSTROUTING masquerades it, and the kernel
// routes such a packet (and accepts its reply) only where route_localnet is on for the interface
// towards the peer. Turned on only for those interfaces, the previous value remembered so cleanup
// restores it; the raw DROP of 127/8 arriving on any interface but lo (rules/ruleset.ts) keeps
// strangers on the LAN from reaching the machine's 127.0.0.1 services (kube-proxy's CVE-2020-8558 fix).
import { getSysctl, run, setSysctl } from '../exec.js';

export interface LoopbackOutDevice {
  dev: string;
  /** route_localnet before we turned it on ('0' normally). */
  before: string;
}

const key = (dev: string) => `net/ipv4/conf/${dev}/route_localnet`;

/** The interface the kernel routes `via` through (undefined when it has no route). */
export async function deviceTowards(via: string): Promise<string | undefined> {
  const r = await run('ip', ['-j', '-4', 'route', 'get', via], { allowFailure: true });
  if (r.code !== 0) return undefined;
  const rows = JSON.parse(r.stdout || '[]') as { dev?: string }[];
  const dev = rows[0]?.dev;
  return dev && dev !== 'lo' ? dev : undefined;
}

/**
 * Turns route_localnet on for the interfaces towards `vias`, returning `known` plus the devices it
 * changed. The caller must have applied the raw DROP rule first.
 */
export async function enableLoopbackOut(
  vias: string[],
  known: LoopbackOutDevice[],
): Promise<LoopbackOutDevice[]> {
  const out = [...known];
  for (const via of new Set(vias)) {
    const dev = await deviceTowards(via);
    if (!dev || out.some((d) => d.dev === dev)) continue;
    const before = await getSysctl(key(dev)).catch(() => undefined);
    if (before === undefined) continue;
    if (before !== '1') await setSysctl(key(dev), '1');
    out.push({ dev, before });
  }
  return out;
}

/** Puts route_localnet back as it was on each device (those gone since are skipped). */
export async function restoreLoopbackOut(devices: LoopbackOutDevice[]): Promise<void> {
  for (const d of devices) await setSysctl(key(d.dev), d.before).catch(() => undefined);
}
