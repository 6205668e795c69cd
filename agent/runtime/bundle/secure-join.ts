// Resolves a path inside a container root the way the container would see it: symlinks are
// followed, but `..` and absolute link targets never climb above the root (like filepath-securejoin).
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';

export function secureJoin(root: string, unsafePath: string): string {
  const parts = unsafePath.split('/').filter((p) => p && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      // Missing components are fine: the caller creates or opens them.
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > 255)
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: 'path',
        value: unsafePath,
        reason: 'too many levels of symbolic links',
      });
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    parts.unshift(...target.split('/').filter((p) => p && p !== '.'));
  }
  return join(root, ...resolved);
}
