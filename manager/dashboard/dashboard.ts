// The web dashboard as an extension of the manager's HTTPS API (manager/api ApiExtension): its
// sessions, its live feed and its files. Built by main.ts for every manager; costs nothing until
// a page is open (the feed subscribes to the store only while one is).
import type { FastifyInstance } from 'fastify';
import type { ApiDeps, ApiExtension } from '../api/index.js';
import type { ObjectStore } from '../store/index.js';
import { accessRoutes, dashboardPrefix } from './access.js';
import { DashboardAssets } from './assets.js';
import { DashboardFeed } from './feed.js';
import { pageRoutes } from './routes.js';
import { DashboardSessions } from './sessions.js';

export interface DashboardOptions {
  store: Pick<ObjectStore, 'list' | 'subscribe'>;
  clock?: { now(): number };
  /** Where the bundled page is. @default dist/dashboard of this build */
  assetDirs?: string[];
  /** Feed coalescing interval. @default 250 */
  flushMs?: number;
}

export class Dashboard implements ApiExtension {
  readonly selfAuthenticatedPrefix = dashboardPrefix;
  readonly sessions: DashboardSessions;
  readonly feed: DashboardFeed;
  private readonly assets: DashboardAssets;

  constructor(o: DashboardOptions) {
    this.sessions = new DashboardSessions({ clock: o.clock ?? Date });
    this.feed = new DashboardFeed({ store: o.store, flushMs: o.flushMs });
    this.assets = new DashboardAssets(o.assetDirs);
  }

  register(app: FastifyInstance, d: ApiDeps): void {
    accessRoutes(app, d, this.sessions);
    pageRoutes(app, d, this.assets, this.feed);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.feed.stop();
  }
}
