// Where a join token comes from, so that it need not sit in argv (visible to every local user in
// `ps`): --token, then --token-file (mode 0600 or stricter), then FLOTILLA_JOIN_TOKEN (an
// EnvironmentFile in the systemd units). It is needed for the first join only.
import { readFileSync, statSync } from 'node:fs';
import { FlotillaError } from '../errors/index.js';

export function resolveJoinToken(
  s: { token: string; tokenFile: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (s.token) return s.token.trim();
  if (s.tokenFile) {
    let mode: number;
    try {
      mode = statSync(s.tokenFile).mode;
    } catch (err) {
      throw new FlotillaError(
        'INVALID_FLAG_VALUE',
        {
          value: s.tokenFile,
          flag: '--token-file',
          reason: (err as NodeJS.ErrnoException).code ?? 'unreadable',
        },
        { cause: err },
      );
    }
    if (mode & 0o077)
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        value: s.tokenFile,
        flag: '--token-file',
        reason: `other users may read it (mode ${(mode & 0o777).toString(8)}): chmod 600 it`,
      });
    return readFileSync(s.tokenFile, 'utf8').trim();
  }
  return (env.FLOTILLA_JOIN_TOKEN ?? '').trim();
}
