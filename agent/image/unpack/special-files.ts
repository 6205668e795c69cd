// What Node's fs lacks: device nodes and fifos (spawned /usr/bin/mknod) and extended attributes
// (@napi-rs/xattr, which uses the l* syscalls and so never follows a symlink).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);

interface XattrModule {
  setAttribute(path: string, name: string, value: Buffer | string): Promise<void>;
  getAttribute(path: string, name: string): Promise<Buffer | null>;
  listAttributes(path: string): Promise<string[]>;
}
const xattr = require('@napi-rs/xattr') as XattrModule;

export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Creates a character or block device or a fifo at `path` (which must not exist). */
export async function mknod(
  path: string,
  type: 'c' | 'b' | 'p',
  major = 0,
  minor = 0,
): Promise<void> {
  const args = ['-m', '0600', '--', path, type];
  if (type !== 'p') args.push(String(major), String(minor));
  await execFileP('/usr/bin/mknod', args);
}

export async function setXattr(path: string, name: string, value: Buffer | string): Promise<void> {
  await xattr.setAttribute(path, name, value);
}

/** The attribute's value, or undefined when absent or unsupported on this filesystem. */
export async function getXattr(path: string, name: string): Promise<Buffer | undefined> {
  try {
    return (await xattr.getAttribute(path, name)) ?? undefined;
  } catch {
    return undefined;
  }
}

export async function listXattrs(path: string): Promise<string[]> {
  try {
    return await xattr.listAttributes(path);
  } catch {
    return [];
  }
}
