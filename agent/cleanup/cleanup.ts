// `flotilla agent cleanup`: removes what a stopped (or killed) agent left on the host for its data
// root and exec root — containers still running under conmon, mounts, cgroups, network namespaces,
// veths, bridges, peer routes, iptables chains — while holding that agent's locks, so it is
// refused while the agent runs and no agent can start meanwhile. Persistent state (images,
// container records, networks' definitions) stays: the next start re-creates bridges and rules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import { tryExclusiveLock, type HeldLock } from '../../shared/fs/exclusive-lock.js';
import { agentConfig, type AgentSettings } from '../config.js';
import { agentLockPaths, claimSocketPath } from '../instance-guard.js';
import { removeNetworkLeftovers } from '../network/index.js';
import { removeCgroups, removeContainers } from './containers.js';
import { unmountUnder } from './mounts.js';

export interface CleanupTarget {
  dataRoot: string;
  execRoot: string;
  /** The agent's API socket: removed when nothing answers on it. */
  socketPath: string;
}

/** `flotilla agent cleanup` with the agent's flags, environment and config file. */
export async function runAgentCleanup(
  flags: Partial<AgentSettings> & { configFile?: string },
): Promise<string[]> {
  if (process.getuid?.() !== 0)
    throw new FlotillaError('NOT_ROOT', { what: 'flotilla agent cleanup' });
  const config = agentConfig(flags);
  if (!existsSync(config.dataRoot) && !existsSync(config.execRoot))
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `no agent state at ${config.dataRoot} or ${config.execRoot}`,
    });
  return cleanupAgent(config);
}

/** What was done, one line each (`removed netns f1a2-0123456789ab`, `removed mount /run/…`). */
export async function cleanupAgent(t: CleanupTarget): Promise<string[]> {
  const locks = await lockAll(t);
  try {
    const removed: string[] = [];
    const ids = await removeContainers(t.execRoot);
    removed.push(...ids.map((id) => `container ${id}`));
    const mounts = await unmountUnder([t.execRoot, t.dataRoot]);
    removed.push(...mounts.map((m) => `mount ${m}`));
    removed.push(...(await removeCgroups(ids)).map((c) => `cgroup ${c}`));
    removed.push(...(await removeNetworkLeftovers({ dataRoot: t.dataRoot })));
    // A stale socket file goes; one another (live) agent answers on is not this agent's to remove.
    const socketFree = await claimSocketPath(t.socketPath).then(
      () => true,
      () => false,
    );
    const lines = removed.map((r) => `removed ${r}`);
    if (!socketFree) lines.push(`kept ${t.socketPath}: another agent answers on it`);
    return lines;
  } finally {
    for (const l of locks) await l.release();
  }
}

/** The agent's root locks and its network state lock; refused while any is held. */
async function lockAll(t: CleanupTarget): Promise<HeldLock[]> {
  const held: HeldLock[] = [];
  for (const path of [...agentLockPaths(t), join(t.dataRoot, 'network', 'lock')]) {
    const r = await tryExclusiveLock(path);
    if (!r.held) {
      for (const l of held) await l.release();
      throw new FlotillaError('AGENT_RUNNING', { pid: r.pid || 'unknown', dir: join(path, '..') });
    }
    held.push(r.lock);
  }
  return held;
}
