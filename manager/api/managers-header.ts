// Every answer of the API names the live managers' API addresses (header `flotilla-managers`), so
// a CLI context learns each manager of the cluster and can fail over to it (cli/clients). Read
// from the leased manager records at most every two seconds, in the background: a request never
// waits for it, and without quorum the last list known is sent.
import type { FastifyInstance } from 'fastify';

export const managersHeader = 'flotilla-managers';

export function installManagersHeader(
  app: FastifyInstance,
  apiAddrs: () => Promise<string[]>,
  clock: { now(): number } = Date,
  refreshMs = 2000,
): void {
  let known: string[] = [];
  let readAt = -Infinity;
  let reading = false;
  const refresh = () => {
    if (reading || clock.now() - readAt < refreshMs) return;
    reading = true;
    apiAddrs()
      .then((addrs) => {
        known = addrs;
        readAt = clock.now();
      })
      .catch(() => undefined)
      .finally(() => (reading = false));
  };
  app.addHook('onSend', async (_req, reply, payload) => {
    refresh();
    if (known.length > 0) reply.header(managersHeader, known.join(','));
    return payload;
  });
}
