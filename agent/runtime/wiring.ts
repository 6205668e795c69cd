// Builds the runtime for main.ts from the agent's config: images from the agent's ImageService,
// root filesystems from the OverlaySnapshotter over the image's layer store (snapshots under
// <dataRoot>/image/snapshots/<id>), networking from the NetworkAttacher when one is passed
// (otherwise 'none').
import type { ClusterAttachmentsLink } from './cluster-attachments.js';
import { parseLogOptFlags } from '../../shared/engine/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { AgentConfig } from '../config.js';
import type { ImageWiring } from '../image/index.js';
import { OverlaySnapshotter } from '../image/snapshot/index.js';
import type { NetworkAttacher } from '../network/index.js';
import { RuncContainerEngine } from './engine.js';
import { imageServiceSource } from './images/source.js';

export function buildRuntime(deps: {
  config: AgentConfig;
  log: Logger;
  image: Pick<ImageWiring, 'service' | 'layers'>;
  network?: NetworkAttacher;
  clusterAttachments?: ClusterAttachmentsLink;
}): { engine: RuncContainerEngine; start(): Promise<void>; stop(): Promise<void> } {
  const engine = new RuncContainerEngine({
    dataRoot: deps.config.dataRoot,
    execRoot: deps.config.execRoot,
    log: deps.log,
    images: imageServiceSource(deps.image.service),
    snapshotter: new OverlaySnapshotter(deps.image.layers.root, deps.image.layers),
    network: deps.network,
    clusterAttachments: deps.clusterAttachments,
    defaultRuntime: deps.config.defaultRuntime,
    defaultLogDriver: {
      name: deps.config.logDriver,
      options: parseLogOptFlags(deps.config.logOpts),
    },
  });
  return { engine, start: () => engine.open(), stop: () => engine.close() };
}
