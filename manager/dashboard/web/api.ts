// The page's calls to the manager: its session (for the CSRF token), actions, and log streams.
// Cookies go along by themselves (same origin); actions carry the CSRF header.
let csrf = '';

export async function loadSession(): Promise<{ actor: string; expiresAt: string }> {
  const res = await fetch('/dashboard/api/session', { credentials: 'same-origin' });
  if (res.status === 401) throw new Error('session expired: open a new `flotilla dashboard --url`');
  const s = (await res.json()) as { actor: string; csrf: string; expiresAt: string };
  csrf = s.csrf;
  return s;
}

/** POSTs an action; resolves with the manager's error message when it refuses. */
export async function act(path: string, body: unknown): Promise<string | undefined> {
  const res = await fetch(`/dashboard/api/${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-flotilla-csrf': csrf },
    body: JSON.stringify(body),
  });
  if (res.ok) return undefined;
  const e = (await res.json().catch(() => ({}))) as { message?: string; hint?: string };
  return [e.message ?? `HTTP ${res.status}`, e.hint].filter(Boolean).join(' — ');
}

export interface LogRecord {
  node?: string;
  slot?: number;
  line?: string;
  stream?: string;
  error?: { message: string };
}

/** Follows a service's logs (NDJSON) until SIGNAL aborts. */
export async function followLogs(
  serviceId: string,
  signal: AbortSignal,
  onRecord: (r: LogRecord) => void,
): Promise<void> {
  const res = await fetch(`/dashboard/api/services/${encodeURIComponent(serviceId)}/logs`, {
    credentials: 'same-origin',
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`logs: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onRecord(JSON.parse(l) as LogRecord);
  }
}
