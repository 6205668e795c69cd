// Placement constraints as Swarm writes them (`node.labels.zone==a`, `node.role!=manager`). Shared
// by the scheduler (which nodes may take a task) and the global orchestrator (which nodes should
// have one); it only reads node fields and never writes anything.
import type { Node } from '../../shared/model/index.js';
import { FlotillaError } from '../../shared/errors/index.js';

export interface Constraint {
  key: string;
  op: '==' | '!=';
  value: string;
}

/** Parses `key==value` / `key!=value`; throws PLACEMENT_CONSTRAINT_INVALID on anything else. */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*([\w.-]+)\s*(==|!=)\s*(.*?)\s*$/.exec(text);
  if (!m || !knownKey(m[1]))
    throw new FlotillaError('PLACEMENT_CONSTRAINT_INVALID', { constraint: text });
  return { key: m[1], op: m[2] as Constraint['op'], value: m[3] };
}

function knownKey(key: string): boolean {
  return (
    ['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch'].includes(
      key,
    ) ||
    key.startsWith('node.labels.') ||
    key.startsWith('engine.labels.')
  );
}

function nodeValue(node: Node, key: string): string | undefined {
  switch (key) {
    case 'node.id':
      return node.id;
    case 'node.hostname':
      return node.description.hostname;
    case 'node.role':
      return node.spec.role;
    case 'node.platform.os':
      return node.description.platform.os;
    case 'node.platform.arch':
      return node.description.platform.architecture;
  }
  if (key.startsWith('node.labels.')) return node.spec.labels[key.slice('node.labels.'.length)];
  if (key.startsWith('engine.labels.'))
    return node.description.engineLabels[key.slice('engine.labels.'.length)];
  return undefined;
}

/**
 * True when the node satisfies every constraint. As in Swarm, a missing label never equals a value
 * and always differs from one; hostnames and roles compare case-insensitively.
 */
export function matchConstraints(node: Node, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) {
    const actual = nodeValue(node, c.key);
    const fold = c.key === 'node.hostname' || c.key === 'node.role';
    const equal =
      actual !== undefined &&
      (fold ? actual.toLowerCase() === c.value.toLowerCase() : actual === c.value);
    if (c.op === '==' ? !equal : equal) return false;
  }
  return true;
}

/** Parses a task's constraint strings once; invalid ones are reported by the caller. */
export function parseConstraints(texts: readonly string[]): Constraint[] {
  return texts.map(parseConstraint);
}

/** The value a `spread=` preference groups a node by; '' for nodes without the label. */
export function spreadValue(node: Node, descriptor: string): string {
  return nodeValue(node, descriptor) ?? '';
}
