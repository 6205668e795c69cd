// The one error type that crosses component, process and network boundaries. It carries a stable
// code (from codes.ts), the parameters that filled its message, and the original error as cause.
import { codes, type ErrorCode } from './codes.js';
import type { ErrorKind } from './kinds.js';

export type ErrorParams = Record<string, string | number | boolean | undefined>;

export interface FlotillaErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /**
   * The exit status a failed container start stands for, as Docker's: 127 the command was not
   * found, 126 it could not be invoked, 125 anything else. The agent records it as the container's
   * ExitCode and `run` exits with it. Unset on other errors.
   */
  exitCode?: number;
}

export function renderTemplate(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

export class FlotillaError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly params: ErrorParams;
  readonly hint?: string;
  readonly retryable: boolean;
  /** See {@link FlotillaErrorOptions.exitCode}. */
  readonly exitCode?: number;

  constructor(code: ErrorCode, params: ErrorParams = {}, options: FlotillaErrorOptions = {}) {
    const entry = codes[code];
    super(renderTemplate(entry.message, params), { cause: options.cause });
    this.name = 'FlotillaError';
    this.code = code;
    this.kind = entry.kind;
    this.params = params;
    const hint = 'hint' in entry ? (entry.hint as string | undefined) : undefined;
    if (hint) this.hint = renderTemplate(hint, params);
    const retryable = 'retryable' in entry ? Boolean(entry.retryable) : false;
    this.retryable = options.retryable ?? retryable;
    if (options.exitCode !== undefined) this.exitCode = options.exitCode;
  }

  /** The JSON form used by every API (HTTP body, gRPC status details). */
  toJSON(): ErrorBody {
    return {
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.retryable ? { retryable: true } : {}),
      params: this.params,
      ...(this.exitCode !== undefined ? { exitCode: this.exitCode } : {}),
    };
  }

  /** Rebuilds an error received from another process; unknown codes become INTERNAL. */
  static fromJSON(body: ErrorBody): FlotillaError {
    const known = Object.prototype.hasOwnProperty.call(codes, body.code);
    const err = known
      ? new FlotillaError(body.code as ErrorCode, body.params ?? {}, {
          retryable: body.retryable,
          exitCode: body.exitCode,
        })
      : new FlotillaError('INTERNAL', { detail: body.message });
    // Keep the remote message verbatim: the far side may know parameters we render differently.
    if (body.message) err.message = body.message;
    return err;
  }
}

export interface ErrorBody {
  code: string;
  kind: ErrorKind;
  message: string;
  hint?: string;
  retryable?: boolean;
  params?: ErrorParams;
  exitCode?: number;
}

export function isFlotillaError(err: unknown): err is FlotillaError {
  return err instanceof FlotillaError;
}

/** Wraps any thrown value so that it can be shown to a user; FlotillaErrors pass through. */
export function toFlotillaError(err: unknown): FlotillaError {
  if (err instanceof FlotillaError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new FlotillaError('INTERNAL', { detail }, { cause: err });
}
