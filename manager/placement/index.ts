export { parseConstraint, parseConstraints, matchConstraints, spreadValue } from './constraints.js';
export type { Constraint } from './constraints.js';
