// One agent per exec root, data root and API socket, checked before anything is made: a second
// agent must not take over a running one's socket, state or bridge
// (docs/decisions/0002-one-agent-per-root.md).
import { createConnection } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../shared/errors/index.js';
import { tryExclusiveLock, type HeldLock } from '../shared/fs/exclusive-lock.js';

/** The lock files an agent holds while it runs: one in each of its roots. */
export function agentLockPaths(roots: { execRoot: string; dataRoot: string }): string[] {
  return [join(roots.execRoot, 'agent.lock'), join(roots.dataRoot, 'agent.lock')];
}

/**
 * Takes the agent locks of both roots (kernel locks: released when this process dies, however).
 * @throws AGENT_RUNNING naming the holder's pid and the root
 */
export async function lockAgentRoots(roots: {
  execRoot: string;
  dataRoot: string;
}): Promise<HeldLock[]> {
  const held: HeldLock[] = [];
  for (const path of agentLockPaths(roots)) {
    const r = await tryExclusiveLock(path);
    if (!r.held) {
      for (const l of held) await l.release();
      throw new FlotillaError('AGENT_RUNNING', {
        pid: r.pid || 'unknown',
        dir: join(path, '..'),
      });
    }
    held.push(r.lock);
  }
  return held;
}

/**
 * Refuses a socket path a live process answers on; removes a stale socket file (nothing answers).
 * @throws AGENT_SOCKET_IN_USE
 */
export async function claimSocketPath(socketPath: string, timeoutMs = 2000): Promise<void> {
  if (await answers(socketPath, timeoutMs))
    throw new FlotillaError('AGENT_SOCKET_IN_USE', { socket: socketPath });
  await rm(socketPath, { force: true });
}

/** True when a process accepts connections on the unix socket (a timeout counts as alive). */
function answers(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ path: socketPath });
    const done = (alive: boolean) => {
      s.destroy();
      resolve(alive);
    };
    s.setTimeout(timeoutMs, () => done(true));
    s.once('connect', () => done(true));
    // ENOENT (no file), ECONNREFUSED (stale socket), ENOTSOCK: nobody answers.
    s.once('error', () => done(false));
  });
}
