// Registry names as `search` and `login` receive them: the registry a search term names, and a
// login server address in any of the forms the docker CLI and docker-py send.

/** `127.0.0.1:5000/app` → that registry, term `app`; `app` → docker.io. */
export function splitSearchTerm(term: string): { domain: string; rest: string } {
  const slash = term.indexOf('/');
  if (slash > 0) {
    const first = term.slice(0, slash);
    if (first === 'localhost' || first.includes('.') || first.includes(':'))
      return { domain: first, rest: term.slice(slash + 1) };
  }
  return { domain: 'docker.io', rest: term };
}

/** `https://index.docker.io/v1/`, `index.docker.io`, `docker.io` → docker.io; a URL → its host. */
export function normaliseServer(server: string): string {
  let s = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (s === 'index.docker.io' || s === 'registry-1.docker.io' || s === '') s = 'docker.io';
  return s;
}
