// Certificate lifecycle as a ManagerPart (manager/parts.ts): every manager renews its own server
// certificate; the leader ends CA rotations once every node and manager has renewed.
import { RotationCompleter } from './ca/index.js';
import type { ManagerPart, Startable } from './components.js';

export const certificatesPart: ManagerPart = (c) => {
  const always: Startable[] = c.certificate ? [c.certificate] : [];
  const completer = new RotationCompleter({
    ca: c.ca,
    store: c.store,
    managerIds: async () => (await c.leader.managers()).map((m) => m.managerId),
    log: c.log,
  });
  return { always, leader: [completer] };
};
