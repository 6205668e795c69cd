// Docker's network routes (NetworkCreate, NetworkResource, connect/disconnect bodies): translators
// onto the same LocalNetworkApi calls that agent/api/routes/networks.ts makes for `flotilla network`.
import type { FastifyInstance } from 'fastify';
import type { NetworkInfo } from '../../../shared/engine/index.js';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { LocalNetworkApi } from '../../network/index.js';
import { checkRequestedIp, type ContainerRuntime } from '../../runtime/index.js';
import { parseFilters } from '../queries/containers.js';
import { createNetworkOptions } from './network-body.js';
import { isSet, refuse } from './body-fields.js';
import { ipamAddress } from './placement-body.js';

type Doc = Record<string, unknown>;
type Params = { id: string };

/** Docker's NetworkResource; `Containers` only when inspecting (Docker's list leaves it empty). */
export function networkResource(n: NetworkInfo): Doc {
  const prefix = n.subnet?.split('/')[1];
  return {
    Name: n.name,
    Id: n.id,
    Created: n.createdAt,
    Scope: n.scope,
    Driver: n.driver,
    EnableIPv4: n.driver === 'bridge',
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [],
    },
    Internal: false,
    Attachable: Boolean(n.attachable),
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      Object.entries(n.containers ?? {}).map(([id, c]) => [
        id,
        {
          Name: c.name,
          EndpointID: '',
          MacAddress: '',
          IPv4Address: c.ipv4 ? `${c.ipv4}/${prefix}` : '',
          IPv6Address: '',
        },
      ]),
    ),
    Options: n.bridge ? { 'com.docker.network.bridge.name': n.bridge } : {},
    Labels: n.labels,
  };
}

const listFilters = ['name', 'id', 'label', 'driver', 'type', 'scope'];

function matches(n: NetworkInfo, filters: Map<string, string[]>): boolean {
  const any = (key: string, test: (v: string) => boolean) =>
    !filters.has(key) || filters.get(key)!.some(test);
  const label = (v: string) => {
    const [k, val] = v.split('=', 2);
    return k in n.labels && (val === undefined || n.labels[k] === val);
  };
  return (
    any('name', (v) => n.name.includes(v)) &&
    any('id', (v) => n.id.startsWith(v)) &&
    (!filters.has('label') || filters.get('label')!.every(label)) &&
    any('driver', (v) => n.driver === v) &&
    any('type', (v) => (v === 'builtin' ? n.builtin : v === 'custom' ? !n.builtin : false)) &&
    any('scope', (v) => n.scope === v)
  );
}

/** The container a connect/disconnect names, as Docker: 404 "No such container" if unknown. */
async function containerOf(
  containers: ContainerRuntime,
  ref: unknown,
): Promise<{ id: string; running: boolean }> {
  if (typeof ref !== 'string' || !ref) refuse('Container', 'is required');
  const doc = await containers.inspect(ref);
  const state = doc.State as { Running?: boolean } | undefined;
  return { id: doc.Id as string, running: Boolean(state?.Running) };
}

export function dockerNetworkRoutes(
  app: FastifyInstance,
  networks: LocalNetworkApi,
  containers: ContainerRuntime,
): void {
  app.get('/docker/networks', async (req) => {
    const q = req.query as { filters?: string };
    const filters = parseFilters(q.filters, (k) => listFilters.includes(k));
    return networks
      .listNetworks()
      .filter((n) => matches(n, filters))
      .map((n) => networkResource(n));
  });

  app.get('/docker/networks/:id', async (req) =>
    networkResource(networks.inspectNetwork((req.params as Params).id)),
  );

  app.post('/docker/networks/create', async (req, reply) => {
    const info = await networks.createNetwork(createNetworkOptions((req.body ?? {}) as Doc));
    return reply.status(201).send({ Id: info.id, Warning: '' });
  });

  app.post('/docker/networks/prune', async (req) => {
    const q = req.query as { filters?: string };
    const filters = parseFilters(q.filters, () => true);
    for (const key of filters.keys()) refuse(`filters ${key}`, 'is not supported by network prune');
    return { NetworksDeleted: await networks.pruneNetworks() };
  });

  app.post('/docker/networks/:id/connect', async (req, reply) => {
    const b = (req.body ?? {}) as Doc;
    const net = networks.inspectNetwork((req.params as Params).id);
    const ep = (b.EndpointConfig ?? {}) as Doc;
    for (const k of Object.keys(ep))
      if (!['Aliases', 'IPAMConfig', 'NetworkID', 'DriverOpts'].includes(k) && isSet(ep[k]))
        refuse(`EndpointConfig.${k}`);
    const aliases = (ep.Aliases ?? []) as string[];
    if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string'))
      refuse('EndpointConfig.Aliases', 'must be a list of strings');
    const ipv4Address = ipamAddress(net.name, ep);
    const c = await containerOf(containers, b.Container);
    if (ipv4Address) checkRequestedIp({ image: '', network: net.name, ipv4Address }, networks);
    if (!c.running) throw new FlotillaError('CONTAINER_NOT_RUNNING', { id: String(b.Container) });
    await networks.connect(net.id, c.id, aliases, ipv4Address);
    return reply.status(200).send();
  });

  app.post('/docker/networks/:id/disconnect', async (req, reply) => {
    const b = (req.body ?? {}) as { Container?: unknown; Force?: boolean };
    const net = networks.inspectNetwork((req.params as Params).id);
    // Force: Docker removes the endpoint even when its container is gone; the network keeps
    // its endpoints by container, so the name or id is enough then.
    const id = b.Force
      ? await containerOf(containers, b.Container).then(
          (c) => c.id,
          () => String(b.Container),
        )
      : (await containerOf(containers, b.Container)).id;
    await networks.disconnect(net.id, id);
    return reply.status(200).send();
  });
}
