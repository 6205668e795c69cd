// Placement constraints (node.id, node.hostname, node.role, node.labels.X, engine.labels.X).
import { matchConstraints } from '../../placement/index.js';
import type { Filter } from './types.js';

export const constraintsFilter: Filter = {
  name: 'constraints',
  dynamic: false,
  check(group, info) {
    return matchConstraints(info.node, group.constraints)
      ? undefined
      : 'scheduling constraints not satisfied';
  },
};
