import type { ErrorKind } from './kinds.js';

/** One catalogue entry: the kind decides exit code and HTTP status; the message is a template. */
export interface CodeEntry {
  kind: ErrorKind;
  /** Message template: `{name}` is replaced by the parameter of that name. */
  message: string;
  /** What the user can do about it; printed as `Hint:` by the CLI. */
  hint?: string;
  /** Set when a retry of the same operation may succeed. */
  retryable?: boolean;
}

export type CodeCatalog = Record<string, CodeEntry>;
