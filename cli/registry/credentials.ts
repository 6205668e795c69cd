// Registry credentials kept by the CLI in ~/.flotilla/auth.json (FLOTILLA_CONFIG moves the dir).
//
// Decision (Docker-style): `flotilla login` validates credentials against the registry and stores
// them here, on the user's side. The CLI sends the credentials for the image's registry along with
// each pull/push request; the agent uses them for that request only and never writes them to disk.
// So one agent serves several users without holding anyone's secrets, and revoking access is
// `flotilla logout` on the user's machine. The file is written atomically (temp file + rename) with
// mode 0600 in a 0700 directory; like Docker's config.json, the secret is base64, not encrypted.
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FlotillaError } from '../../shared/errors/index.js';
import { writeFileAtomic } from '../../shared/fs/atomic.js';
import { cliConfigDir } from '../../shared/config/index.js';
import type { Credentials } from '../../shared/engine/index.js';

interface AuthFile {
  auths: Record<string, { auth: string }>;
}

/** Docker Hub's historical names all mean docker.io. */
function normalizeDomain(domain: string): string {
  const d = domain.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return d === 'index.docker.io' || d === 'registry-1.docker.io' ? 'docker.io' : d;
}

/** The default store location: <FLOTILLA_CONFIG or ~/.flotilla>/auth.json. */
export function defaultCredentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(cliConfigDir(env), 'auth.json');
}

export class CredentialStore {
  constructor(readonly file: string = defaultCredentialsFile()) {}

  private fail(reason: string, cause?: unknown): FlotillaError {
    return new FlotillaError('CREDENTIALS_STORE_FAILED', { file: this.file, reason }, { cause });
  }

  private async read(): Promise<AuthFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { auths: {} };
      throw this.fail((err as Error).message, err);
    }
    try {
      const parsed = JSON.parse(text) as Partial<AuthFile>;
      return { auths: parsed.auths && typeof parsed.auths === 'object' ? parsed.auths : {} };
    } catch (err) {
      throw this.fail('the file is not valid JSON', err);
    }
  }

  private async write(data: AuthFile): Promise<void> {
    const dir = dirname(this.file);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      // Created 0600 from the start, so the secret is never readable by others, even briefly.
      await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    } catch (err) {
      throw this.fail((err as Error).message, err);
    }
  }

  async get(domain: string): Promise<Credentials | undefined> {
    const entry = (await this.read()).auths[normalizeDomain(domain)];
    if (!entry?.auth) return undefined;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw this.fail(`the entry for ${domain} is malformed`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }

  async set(domain: string, creds: Credentials): Promise<void> {
    if (creds.username.includes(':'))
      throw new FlotillaError('INVALID_ARGUMENT', { detail: 'a username cannot contain ":"' });
    const data = await this.read();
    data.auths[normalizeDomain(domain)] = {
      auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64'),
    };
    await this.write(data);
  }

  /** Returns true if there was an entry to remove. */
  async remove(domain: string): Promise<boolean> {
    const data = await this.read();
    const key = normalizeDomain(domain);
    if (!(key in data.auths)) return false;
    delete data.auths[key];
    await this.write(data);
    return true;
  }

  /** Registries with stored credentials and their usernames (never the secrets). */
  async list(): Promise<Array<{ domain: string; username: string }>> {
    const data = await this.read();
    const out: Array<{ domain: string; username: string }> = [];
    for (const domain of Object.keys(data.auths).sort()) {
      const creds = await this.get(domain);
      if (creds) out.push({ domain, username: creds.username });
    }
    return out;
  }
}
