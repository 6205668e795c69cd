export { Scheduler } from './scheduler.js';
export type { SchedulerDeps } from './scheduler.js';
export { planPlacement, explain } from './planner.js';
export type { Plan } from './planner.js';
