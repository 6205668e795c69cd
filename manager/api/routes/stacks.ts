// Stacks: `stack deploy` sends every service spec of a stack file at once; they are all checked
// before anything is written, then created/updated (and, with prune, the stack's other services
// removed) in one transaction, so a stack is never half deployed. A stack is only a label
// (com.docker.stack.namespace) on its services; listing is done by the CLI from GET /services.
// POST /stacks/NAME/plan builds the same transaction (same checks, same port assignment) and
// abandons it: the answer says what deploy would change, with a field diff per updated service.
// (A separate route, so that a manager without it answers 404 instead of deploying.)
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import type { Service, ServiceSpec } from '../../../shared/model/index.js';
import { assignPorts } from '../../ingress/index.js';
import {
  assignVips,
  createNetwork,
  liveNetworks,
  nodeLocalNetworks,
  networkSpecOf,
  reservedFor,
  resolveNetworks,
  type NetworkCreateRequest,
} from '../../networks/index.js';
import {
  pickStackFiles,
  prepareStackFiles,
  pruneStackFiles,
  renameReferences,
  resolveFileReferences,
  type FileObjectInput,
  type StackFileChange,
} from '../../secrets/index.js';
import { checkServiceSpec, newId } from '../../store/index.js';
import type { ApiDeps } from '../context.js';
import type { ResolveImageMode } from '../../images/index.js';
import {
  prepareServiceImage,
  registryAuthSchema,
  resolveImageSchema,
  type PreparedImage,
  type RegistryAuthInput,
} from './service-image.js';
import { canonical } from '../../../shared/json/canonical.js';
import { fieldDiff, type FieldChange } from '../../../shared/json/field-diff.js';

const NAMESPACE = 'com.docker.stack.namespace';

export interface StackDeployResult {
  created: { id: string; name: string; version: number }[];
  updated: { id: string; name: string; version: number; changes: FieldChange[] }[];
  unchanged: { id: string; name: string; version: number }[];
  removed: { id: string; name: string }[];
  /** The stack's secrets and configs: created, new versions (content changed) and unchanged. */
  files: StackFileChange[];
  /** Versions no service uses any more, removed. */
  filesRemoved: { kind: 'secret' | 'config'; name: string }[];
  /** True when nothing was written (the plan route). */
  dryRun?: boolean;
  /** Networks this deploy created (`Creating network NAME`). */
  networksCreated?: { id: string; name: string }[];
  /** Images that could not be pinned to a digest (Docker's warning, printed by the CLI). */
  warnings?: string[];
}

/** Thrown inside the transaction of a dry run so that nothing is committed. */
class DryRunDone extends Error {
  constructor(readonly result: StackDeployResult) {
    super('dry run');
  }
}

/** A stack's network: created unless it exists (external ones must). */
export type StackNetworkRequest = NetworkCreateRequest & { external?: boolean };

export function stackRoutes(app: FastifyInstance, d: ApiDeps): void {
  deployRoute(app, d, '/stacks/:name/deploy', false);
  deployRoute(app, d, '/stacks/:name/plan', true);
}

function deployRoute(app: FastifyInstance, d: ApiDeps, url: string, dryRun: boolean): void {
  app.post<{
    Params: { name: string };
    Body: {
      services: ServiceSpec[];
      networks?: StackNetworkRequest[];
      prune?: boolean;
      secrets?: FileObjectInput[];
      configs?: FileObjectInput[];
      /** `--with-registry-auth`: the deploying user's credentials, per registry. */
      registryAuth?: RegistryAuthInput[];
      /** `--resolve-image`. @default always */
      resolveImage?: ResolveImageMode;
    };
  }>(
    url,
    {
      schema: {
        params: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 } },
          required: ['name'],
        },
        body: {
          type: 'object',
          required: ['services'],
          properties: {
            services: { type: 'array', items: { type: 'object' } },
            networks: { type: 'array', items: { type: 'object' } },
            prune: { type: 'boolean' },
            secrets: { type: 'array', items: { type: 'object' } },
            configs: { type: 'array', items: { type: 'object' } },
            registryAuth: registryAuthSchema,
            resolveImage: resolveImageSchema,
          },
        },
      },
    },
    async (req) => {
      const stack = req.params.name;
      const specs = req.body.services;
      // Check everything first; one bad service refuses the whole stack.
      specs.forEach((spec, i) => {
        try {
          checkServiceSpec(spec);
        } catch (err) {
          if (isFlotillaError(err) && err.code === 'SERVICE_SPEC_INVALID')
            throw new FlotillaError(
              'SERVICE_SPEC_INVALID',
              {
                field: `services[${i}] (${spec.name}).${String(err.params.field)}`,
                reason: String(err.params.reason),
              },
              { cause: err },
            );
          throw err;
        }
        if (spec.labels?.[NAMESPACE] !== stack)
          throw new FlotillaError('SERVICE_SPEC_INVALID', {
            field: `services[${i}].labels.${NAMESPACE}`,
            reason: `must be "${stack}"`,
          });
      });
      const names = new Set(specs.map((s) => s.name));
      const wanted = (req.body.networks ?? []).map((n) => ({
        external: n.external === true,
        request: n,
        spec: n.external ? undefined : networkSpecOf(n),
      }));
      const now = new Date().toISOString();
      const fileInputs = { secret: req.body.secrets ?? [], config: req.body.configs ?? [] };
      // Sealed before the transaction (it may make the data key); the transaction picks. A dry
      // run seals under a throw-away key: it must not make the data key, and writes nothing.
      const real = d.secretsKey;
      const keys =
        dryRun && real
          ? {
              current: async () => ({ id: 'dry-run', key: randomBytes(32) }),
              open: (keyId: string) => real.open(keyId),
            }
          : real;
      const prepared = {
        secret: await prepareStackFiles(keys, 'secret', stack, fileInputs.secret),
        config: await prepareStackFiles(d.secretsKey, 'config', stack, fileInputs.config),
      };
      // Images pinned and credentials sealed before the transaction (registry calls, at once).
      const pinned = await Promise.all(
        specs.map((spec) =>
          prepareServiceImage(d, req.log, spec, {
            mode: req.body.resolveImage ?? 'always',
            auths: req.body.registryAuth,
            current: d.store.serviceByName(spec.name),
            keys,
          }),
        ),
      );
      const images = new Map<string, PreparedImage>(specs.map((s, i) => [s.name, pinned[i]]));
      const warnings = pinned.flatMap((p) => (p.warning ? [p.warning] : []));
      const deploy = d.store.update((tx) => {
        const r: StackDeployResult = {
          created: [],
          updated: [],
          unchanged: [],
          removed: [],
          networksCreated: [],
          files: [],
          filesRemoved: [],
        };
        // The stack's networks first (same transaction): services resolve their names to them.
        const networks = liveNetworks(d.store).filter((n) => tx.get('network', n.id));
        for (const w of wanted) {
          const have = networks.find((n) => n.spec.name === w.request.name);
          if (w.external || !w.spec) {
            // `external: true, name: bridge|host|none`: each node's own network, as in Docker.
            if (w.external && nodeLocalNetworks.has(w.request.name)) continue;
            if (!have)
              throw new FlotillaError('NETWORK_NOT_FOUND', {
                name: `${w.request.name} (declared as external)`,
              });
            continue;
          }
          if (have) {
            if (have.spec.labels[NAMESPACE] !== stack)
              throw new FlotillaError('NETWORK_EXISTS', { name: w.request.name });
            continue;
          }
          const n = createNetwork(
            tx,
            d.store,
            w.spec,
            () => d.ca.secretsKey('overlay-keys'),
            Date.now(),
            reservedFor(d.ca.cluster),
            networks,
          );
          networks.push(n);
          r.networksCreated!.push({ id: n.id, name: n.spec.name });
        }
        // Renamed per attempt: a retried transaction starts again from the request.
        const mine = structuredClone(specs.map((s) => images.get(s.name)?.spec ?? s));
        for (const kind of ['secret', 'config'] as const) {
          const picked = pickStackFiles(
            tx,
            d.store,
            d.secretsKey,
            kind,
            prepared[kind],
            fileInputs[kind],
          );
          r.files.push(...picked.changes);
          for (const spec of mine) renameReferences(spec, kind, picked.names);
        }
        // Services written so far in this transaction: their ports count for the next ones.
        const written: Service[] = [];
        for (const given of mine) {
          const spec = resolveNetworks(resolveFileReferences(tx, given), networks);
          const known = d.store.serviceByName(spec.name);
          const cur = known && tx.get('service', known.id);
          const registryAuth = images.get(spec.name)?.registryAuth;
          const auth = registryAuth ? { registryAuth } : {};
          if (!cur) {
            const s: Service = {
              id: newId(),
              version: 1,
              createdAt: now,
              updatedAt: now,
              spec,
              ...auth,
            };
            tx.create('service', assignVips(tx, assignPorts(tx, d.store, s, written)));
            written.push(s);
            r.created.push({ id: s.id, name: spec.name, version: 1 });
          } else if (
            canonical(cur.spec) === canonical(spec) &&
            cur.registryAuth?.id === registryAuth?.id
          ) {
            r.unchanged.push({ id: cur.id, name: spec.name, version: cur.version });
          } else {
            const next: Service = {
              ...cur,
              previousSpec: cur.spec,
              spec,
              version: cur.version + 1,
              updatedAt: now,
              ...auth,
            };
            tx.update('service', assignVips(tx, assignPorts(tx, d.store, next, written)));
            written.push(next);
            r.updated.push({
              id: cur.id,
              name: spec.name,
              version: next.version,
              changes: fieldDiff(cur.spec, spec),
            });
          }
        }
        if (req.body.prune)
          for (const s of d.store.list('service'))
            if (s.spec.labels[NAMESPACE] === stack && !names.has(s.spec.name)) {
              tx.delete('service', s.id);
              r.removed.push({ id: s.id, name: s.spec.name });
            }
        // Every service as this deploy leaves it: old versions none of them uses go.
        const byId = new Map(d.store.list('service').map((s) => [s.id, s as Service]));
        for (const s of written) byId.set(s.id, s);
        for (const x of r.removed) byId.delete(x.id);
        for (const kind of ['secret', 'config'] as const) {
          const keep = new Set(r.files.filter((f) => f.kind === kind).map((f) => f.object));
          for (const name of pruneStackFiles(tx, d.store, kind, stack, [...byId.values()], keep))
            r.filesRemoved.push({ kind, name });
        }
        if (warnings.length) r.warnings = warnings;
        if (dryRun) throw new DryRunDone({ ...r, dryRun: true });
        return r;
      });
      const result = await deploy.catch((err: unknown) => {
        if (err instanceof DryRunDone) return err.result;
        throw err;
      });
      if (dryRun) return result;
      req.log.info(
        {
          stack,
          created: result.created.length,
          updated: result.updated.length,
          removed: result.removed.length,
        },
        'stack deployed',
      );
      return result;
    },
  );
}
