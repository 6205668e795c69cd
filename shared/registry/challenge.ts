// Parses WWW-Authenticate headers (RFC 7235) for registry clients: one header may carry several
// challenges, schemes are case-insensitive, parameter values are tokens or quoted strings.

export interface AuthChallenge {
  /** Lowercase scheme: 'bearer', 'basic', … */
  scheme: string;
  /** Parameters with lowercase names. */
  params: Record<string, string>;
  /** A token68 credential blob, when the challenge carries one instead of parameters. */
  token68?: string;
}

const tchar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const token68char = /[A-Za-z0-9\-._~+/]/;

export function parseChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: AuthChallenge[] = [];
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const skipSpaceAndCommas = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  const readWhile = (re: RegExp): string => {
    const start = i;
    while (i < n && re.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const readQuoted = (): string => {
    // Precondition: text[i] === '"'.
    i++;
    let value = '';
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < n) i++;
      value += text[i];
      i++;
    }
    i++; // closing quote (or end of input for an unterminated string)
    return value;
  };

  skipSpaceAndCommas();
  while (i < n) {
    const scheme = readWhile(tchar);
    if (scheme === '') {
      // Not a token: skip one character so malformed input cannot loop forever.
      i++;
      skipSpaceAndCommas();
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipSpace();
    // Either a token68 or a comma-separated list of name=value pairs, until the next scheme.
    const save = i;
    const t68 = readWhile(token68char);
    const eqStart = i;
    while (i < n && text[i] === '=') i++;
    const afterEq = i;
    skipSpace();
    if (t68 !== '' && (i >= n || text[i] === ',') && (afterEq > eqStart || !tchar.test(t68))) {
      challenge.token68 = t68 + text.slice(eqStart, afterEq);
      skipSpaceAndCommas();
      continue;
    }
    i = save;
    for (;;) {
      skipSpaceAndCommas();
      const paramStart = i;
      const name = readWhile(tchar);
      if (name === '') break;
      skipSpace();
      if (text[i] !== '=') {
        // A bare token: it starts the next challenge.
        i = paramStart;
        break;
      }
      i++;
      skipSpace();
      const value = text[i] === '"' ? readQuoted() : readWhile(/[^,\s]/);
      challenge.params[name.toLowerCase()] = value;
      skipSpace();
      if (i < n && text[i] !== ',') break;
    }
    skipSpaceAndCommas();
  }
  return out;
}
