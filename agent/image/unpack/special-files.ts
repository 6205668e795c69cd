// Extended attributes, which Node's fs lacks, through @napi-rs/xattr: it uses the l* syscalls and
// so never follows a symlink, and costs about 0.1 ms per call (a spawned setfattr costs a process).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface XattrModule {
  setAttribute(path: string, name: string, value: Buffer | string): Promise<void>;
  setAttributeSync(path: string, name: string, value: Buffer | string): void;
  getAttribute(path: string, name: string): Promise<Buffer | null>;
  listAttributes(path: string): Promise<string[]>;
}
const xattr = require('@napi-rs/xattr') as XattrModule;

export const OPAQUE_XATTR = 'trusted.overlay.opaque';

export async function setXattr(path: string, name: string, value: Buffer | string): Promise<void> {
  await xattr.setAttribute(path, name, value);
}

/** lsetxattr(2) without a threadpool round-trip, for the extractor (see layer-unpacker.ts). */
export function setXattrSync(path: string, name: string, value: Buffer | string): void {
  xattr.setAttributeSync(path, name, value);
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
