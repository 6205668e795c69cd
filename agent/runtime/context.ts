// What every part of the runtime shares: its deps, where things live on the host, the container
// and volume stores, the OCI runtimes, the event bus and the per-container lock. The engine facade
// builds one; the parts (supervisor, start sequence, restore, attach, exec) never build their own.
import { join } from 'node:path';
import { KeyedLock } from '../../shared/concurrency/keyed-lock.js';
import type { LogDriverConfig } from '../../shared/engine/index.js';
import type { Logger } from '../../shared/log/index.js';
import type { Snapshotter } from '../image/snapshot/index.js';
import type { NetworkAttacher } from '../network/index.js';
import type { ClusterAttachmentsLink } from './cluster-attachments.js';
import type { ContainerRecord } from './container/record.js';
import { ContainerStore } from './container/store.js';
import { ContainerEvents } from './events.js';
import type { ImageSource } from './images/source.js';
import { checkRuntime, hostCgroupLayout, type RuntimeName } from './runc/cgroup-mode.js';
import { onPath, Runc } from './runc/runc.js';
import { VolumeStore } from './volumes/volume-store.js';

export interface EngineDeps {
  dataRoot: string;
  execRoot: string;
  log: Logger;
  images: ImageSource;
  snapshotter: Snapshotter;
  network?: NetworkAttacher;
  /** The manager's attachments of standalone containers to cluster overlays (joined agents). */
  clusterAttachments?: ClusterAttachmentsLink;
  runcBinary?: string;
  crunBinary?: string;
  conmonBinary?: string;
  /** runc or crun, for containers created without --runtime. @default 'runc' */
  defaultRuntime?: string;
  /** The log driver of containers created without --log-driver (dockerd's log-driver). @default json-file */
  defaultLogDriver?: LogDriverConfig;
  /**
   * flotilla-probe, which runs health checks inside each container (health/probe-servers.ts);
   * null: every check is its own `runc exec`. @default dist/native/flotilla-probe
   */
  probeHelper?: string | null;
}

/** Directories under the exec root (made at open, except crun's, made when crun first runs). */
export interface RuntimePaths {
  runcRoot: string;
  crunRoot: string;
  exitDir: string;
  bundles: string;
  persist: string;
  socketDir: string;
}

/** Bundle and persist dirs use the id's first 16 characters: conmon's sockets need short paths. */
const shortId = (id: string) => id.slice(0, 16);

export class RuntimeContext {
  readonly log: Logger;
  readonly store: ContainerStore;
  readonly volumeStore: VolumeStore;
  /** runc, with its own --root; used for every container created without another runtime. */
  readonly runc: Runc;
  /** crun, with its own --root (containers record which runtime runs them). */
  readonly crun: Runc;
  readonly paths: RuntimePaths;
  readonly events = new ContainerEvents();
  /** Serialises lifecycle operations per container: start, exit, restart, removal. */
  readonly lock = new KeyedLock();

  constructor(readonly deps: EngineDeps) {
    this.log = deps.log.child({ component: 'runtime' });
    this.store = new ContainerStore({ dir: join(deps.dataRoot, 'containers') });
    this.volumeStore = new VolumeStore({
      dir: join(deps.dataRoot, 'volumes'),
      onEvent: (action, name) =>
        this.events.publishObject({
          type: 'volume',
          action,
          id: name,
          attributes: { driver: 'local' },
        }),
    });
    this.paths = {
      runcRoot: join(deps.execRoot, 'runc'),
      crunRoot: join(deps.execRoot, 'crun'),
      exitDir: join(deps.execRoot, 'exits'),
      bundles: join(deps.execRoot, 'b'),
      persist: join(deps.execRoot, 'persist'),
      socketDir: join(deps.execRoot, 'sock'),
    };
    this.runc = new Runc({ binary: deps.runcBinary ?? 'runc', root: this.paths.runcRoot });
    this.crun = new Runc({ binary: deps.crunBinary ?? 'crun', root: this.paths.crunRoot });
  }

  bundleDir(id: string): string {
    return join(this.paths.bundles, shortId(id));
  }

  persistDir(id: string): string {
    return join(this.paths.persist, shortId(id));
  }

  /** The runtime that runs a container (records from before --runtime existed use runc). */
  runtimeOf(rec: ContainerRecord): Runc {
    return rec.options.runtime === 'crun' ? this.crun : this.runc;
  }

  /** The runtime a name stands for, if this host can use it; RUNTIME_* errors otherwise. */
  checkRuntime(name: string): RuntimeName {
    const binaries = { runc: this.runc.deps.binary, crun: this.crun.deps.binary };
    return checkRuntime(name, {
      layout: hostCgroupLayout(),
      installed: (rt) => onPath(binaries[rt as RuntimeName] ?? rt),
    });
  }
}
