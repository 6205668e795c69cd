// Builds the image service for main.ts: content store, layer store and registry clients under
// <dataRoot>/image/, with the agent's insecure registries. Credentials are never stored here: each
// operation gets a registry client holding only the credentials its request carried.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../../shared/log/index.js';
import type { AgentConfig } from '../config.js';
import { FsContentStore } from './content/index.js';
import { LayerStore } from './layers/index.js';
import { HttpRegistryClient } from './registry/index.js';
import type { Credentials } from './registry/index.js';
import { ImageService } from './service.js';
import type { RegistryFactory } from './service-types.js';

export interface ImageWiring {
  service: ImageService;
  content: FsContentStore;
  layers: LayerStore;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function buildImageService(deps: {
  config: Pick<AgentConfig, 'dataRoot' | 'insecureRegistries'>;
  log: Logger;
  containerUsingImage?: (imageId: string) => string | undefined | Promise<string | undefined>;
  pullConcurrency?: number;
}): ImageWiring {
  const root = join(deps.config.dataRoot, 'image');
  const content = new FsContentStore(join(root, 'content'));
  const layers = new LayerStore(root);
  const registry = registryFactory(deps.log, deps.config.insecureRegistries);
  const service = new ImageService({
    root,
    content,
    layers,
    registry: registry.get,
    log: deps.log,
    containerUsingImage: deps.containerUsingImage,
    pullConcurrency: deps.pullConcurrency,
  });
  return {
    service,
    content,
    layers,
    async start() {
      await content.init();
      await layers.init();
      await service.start();
    },
    async stop() {
      await service.stop();
      registry.close();
    },
  };
}

/**
 * One anonymous client shared by all, and one client per distinct credential pair (kept so bearer
 * tokens and connections are reused; a small bounded cache, oldest closed first).
 */
export function registryFactory(
  log: Logger,
  insecureRegistries: string[],
): { get: RegistryFactory; close(): void } {
  const make = (creds?: Credentials) =>
    new HttpRegistryClient({ log, insecureRegistries, credentials: () => creds });
  const anonymous = make();
  const withCreds = new Map<string, HttpRegistryClient>();
  return {
    get: ({ credentials }) => {
      if (!credentials) return anonymous;
      const key = createHash('sha256')
        .update(`${credentials.username}\0${credentials.password}`)
        .digest('hex');
      let client = withCreds.get(key);
      if (!client) {
        client = make(credentials);
        withCreds.set(key, client);
        if (withCreds.size > 16) {
          const [oldest, c] = withCreds.entries().next().value as [string, HttpRegistryClient];
          withCreds.delete(oldest);
          c.close();
        }
      }
      return client;
    },
    close() {
      anonymous.close();
      for (const c of withCreds.values()) c.close();
    },
  };
}
