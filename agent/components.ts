// The agent's long-lived parts, built once by main.ts and handed to the API routes and the executor.
import type { Logger } from '../shared/log/index.js';
import type { AgentConfig } from './config.js';
import type { EngineEventLog } from './events/index.js';
import type { ImageService, ImageWiring } from './image/index.js';
import type { ContainerRuntime } from './runtime/index.js';
import type { LocalNetworkApi, NetworkAttacher } from './network/index.js';

export interface AgentComponents {
  config: AgentConfig;
  log: Logger;
  /** Docker's event stream (GET /events). */
  events: EngineEventLog;
  images: ImageService;
  /** Content and layer stores behind `images` (build writes layers and blobs directly). */
  imageWiring?: ImageWiring;
  containers: ContainerRuntime;
  /** The local API's networks (`flotilla network ...`). */
  networks: LocalNetworkApi;
  /** Attaches build containers (`flotilla build`'s RUN steps). */
  attacher: NetworkAttacher;
}
