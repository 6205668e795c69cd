// The filter chain, in order. Cheap static checks first (they run once per task group), then the
// dynamic ones; among those ports come before resources (see ports.ts for why).
import { availabilityFilter } from './availability.js';
import { constraintsFilter } from './constraints.js';
import { maxReplicasFilter } from './max-replicas.js';
import { platformFilter } from './platform.js';
import { portsFilter } from './ports.js';
import { resourcesFilter } from './resources.js';
import type { Filter } from './types.js';

export const filters: readonly Filter[] = [
  availabilityFilter,
  platformFilter,
  constraintsFilter,
  portsFilter,
  resourcesFilter,
  maxReplicasFilter,
];

export type { Filter, TaskGroup } from './types.js';
