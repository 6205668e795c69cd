export { Dashboard } from './dashboard.js';
export type { DashboardOptions } from './dashboard.js';
export { DashboardSessions } from './sessions.js';
export { DashboardFeed } from './feed.js';
export type { FeedDelta, FeedSnapshot } from './feed.js';
export type { NodeView, ServiceView, TaskView } from './views.js';
