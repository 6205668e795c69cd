// The node's OS/architecture must be one the service lists (no list = any platform).
import type { Filter } from './types.js';

const archAliases: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64' };
const norm = (a: string) => archAliases[a.toLowerCase()] ?? a.toLowerCase();

export const platformFilter: Filter = {
  name: 'platform',
  dynamic: false,
  check(group, info) {
    const wanted = group.task.spec.placement.platforms ?? [];
    if (wanted.length === 0) return undefined;
    const p = info.node.description.platform;
    const ok = wanted.some(
      (w) =>
        (!w.os || w.os.toLowerCase() === p.os.toLowerCase()) &&
        (!w.architecture || norm(w.architecture) === norm(p.architecture)),
    );
    return ok ? undefined : 'unsupported platform';
  },
};
