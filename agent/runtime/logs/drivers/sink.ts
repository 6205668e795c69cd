// What a log driver writes to, and what it knows of the container it logs for. A sink receives
// entries in order from the container's LogShipper (logs/shipper.ts); a write that throws is
// retried with the same entries, so a sink may see an entry twice but never skips one.
import type { LogEntry } from '../../types.js';

export interface LogSink {
  write(entries: LogEntry[]): Promise<void>;
  /** After the last write (the container exited, or the agent stops). */
  close(): Promise<void>;
}

/** The container a sink logs for: the fields of Docker's `tag` template and journald's fields. */
export interface LogSubject {
  id: string;
  name: string;
  imageName: string;
  imageId: string;
  daemonName: string;
  labels: Record<string, string>;
  /** KEY=VALUE, as the container runs with them. */
  env: string[];
}

/**
 * Docker's loginfo.ExtraAttributes: the labels named by `labels` or matching `labels-regex`, and
 * the environment variables named by `env` or matching `env-regex`.
 */
export function extraAttributes(
  opts: Record<string, string>,
  s: LogSubject,
): Record<string, string> {
  const out: Record<string, string> = {};
  const names = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()) : []);
  const pick = (all: Record<string, string>, list?: string, regex?: string) => {
    const re = regex ? new RegExp(regex) : undefined;
    for (const [k, v] of Object.entries(all))
      if (names(list).includes(k) || re?.test(k)) out[k] = v;
  };
  pick(s.labels, opts.labels, opts['labels-regex']);
  const env: Record<string, string> = {};
  for (const e of s.env) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
  }
  pick(env, opts.env, opts['env-regex']);
  return out;
}

/** Expands Docker's `tag` template ({{.ID}} = the first 12 characters of the id, the default). */
export function expandTag(template: string | undefined, s: LogSubject): string {
  const fields: Record<string, string> = {
    ID: s.id.slice(0, 12),
    FullID: s.id,
    Name: s.name,
    ImageName: s.imageName,
    ImageID: s.imageId.replace(/^sha256:/, '').slice(0, 12),
    ImageFullID: s.imageId,
    DaemonName: s.daemonName,
  };
  return (template ?? '{{.ID}}').replace(
    /\{\{\s*\.(\w+)\s*\}\}/g,
    (_m, k: string) => fields[k] ?? '',
  );
}

/** The text of an entry without its newline (syslog and journald carry lines, not bytes). */
export function lineText(e: LogEntry): string {
  const s = e.data.toString('utf8');
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}
