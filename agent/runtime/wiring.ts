// Builds the runtime for main.ts from the agent's config. Images come from the runtime's own
// directory images (<dataRoot>/runtime/images/<name>/{rootfs,config.json}) until the image
// service is wired in here; networking defaults to 'none' until a NetworkAttacher is passed.
import { join } from 'node:path';
import type { Logger } from '../../shared/log/index.js';
import type { AgentConfig } from '../config.js';
import type { Snapshotter } from '../image/snapshot/types.js';
import type { NetworkAttacher } from '../network/types.js';
import { RuncContainerEngine } from './engine.js';
import { DirImageSource, DirSnapshotter, firstOf, type ImageSource } from './images/source.js';

export function buildRuntime(deps: {
  config: AgentConfig;
  log: Logger;
  images?: ImageSource;
  snapshotter?: Snapshotter;
  network?: NetworkAttacher;
}): { engine: RuncContainerEngine; start(): Promise<void>; stop(): Promise<void> } {
  const dirImages = join(deps.config.dataRoot, 'runtime', 'images');
  const dirSource = new DirImageSource({ root: dirImages });
  const engine = new RuncContainerEngine({
    dataRoot: deps.config.dataRoot,
    execRoot: deps.config.execRoot,
    log: deps.log,
    images: deps.images ? firstOf(deps.images, dirSource) : dirSource,
    snapshotter:
      deps.snapshotter ??
      new DirSnapshotter({
        imagesRoot: dirImages,
        root: join(deps.config.dataRoot, 'runtime', 'rootfs'),
      }),
    network: deps.network,
  });
  return { engine, start: () => engine.open(), stop: () => engine.close() };
}
