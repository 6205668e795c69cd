// Shell and parsing for probes run inside busybox containers of the e2e clusters.

const ipv4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/g;

/**
 * Defines `get HOST PORT [TIMEOUT_S]` (default 3 s): one HTTP request on a new connection, printing
 * the body's last line when it starts with "web ", else FAIL. A name is resolved with nslookup (it
 * asks the resolver in resolv.conf itself) and the request sent with nc: Debian's static busybox
 * `wget` crashes (see test/integration/build/build.test.ts). Prefix a script with it.
 */
export const getFn = String.raw`get() { case $1 in *[!0-9.]*) a=$(nslookup "$1" 2>/dev/null | sed -n 's/^Address: \([0-9.]*\)$/\1/p' | head -n 1);; *) a=$1;; esac; b=; [ -n "$a" ] && b=$(printf 'GET / HTTP/1.0\r\n\r\n' | nc -w "${'${3:-3}'}" "$a" "$2" 2>/dev/null | tail -n 1); case $b in "web "*) echo "$b";; *) echo FAIL;; esac; }; `;

/** The IPv4 addresses of the answer part of busybox nslookup's output, sorted. */
export function answered(out: string): string[] {
  const answer = out
    .split(/^Name:/m)
    .slice(1)
    .join('\n');
  return [...answer.matchAll(ipv4)].map((m) => m[1]!).sort();
}
