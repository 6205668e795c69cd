// Cluster contexts: ~/.flotilla/contexts/<name>.json names the managers and the client certificate
// files (in ~/.flotilla/contexts/<name>/); ~/.flotilla/config.json names the current one.
// FLOTILLA_CONFIG moves the whole directory. Directories are 0700 and files 0600: they hold keys.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cliConfigDir } from '../../shared/config/index.js';
import { FlotillaError } from '../../shared/errors/index.js';

export interface ClusterContext {
  name: string;
  clusterId: string;
  /** Manager API addresses (host:port), tried in order. */
  managers: string[];
  description?: string;
  tls: { caFile: string; certFile: string; keyFile: string };
}

export interface ContextPem {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

/** Docker's rule for context names; also keeps names from escaping the contexts directory. */
export function checkContextName(name: string): void {
  if (!namePattern.test(name) || name === 'default-context')
    throw new FlotillaError('INVALID_ARGUMENT', {
      detail: `context name "${name}" is invalid: use letters, digits and _ . + - (not first)`,
    });
}

function writePrivate(file: string, body: string): void {
  writeFileSync(file, body, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export class ContextStore {
  constructor(readonly dir: string = cliConfigDir()) {}

  private file(name: string): string {
    return join(this.dir, 'contexts', `${name}.json`);
  }

  list(): ClusterContext[] {
    const d = join(this.dir, 'contexts');
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.get(f.slice(0, -5)))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return existsSync(this.file(name));
  }

  get(name: string): ClusterContext {
    checkContextName(name);
    const f = this.file(name);
    if (!existsSync(f)) throw new FlotillaError('NO_CLUSTER_CONTEXT', { name });
    return JSON.parse(readFileSync(f, 'utf8')) as ClusterContext;
  }

  /** The context's certificates and key, as a bundle carries them. */
  pem(name: string): ContextPem {
    const c = this.get(name);
    return {
      caCertPem: readFileSync(c.tls.caFile, 'utf8'),
      certPem: readFileSync(c.tls.certFile, 'utf8'),
      keyPem: readFileSync(c.tls.keyFile, 'utf8'),
    };
  }

  current(): string | undefined {
    const f = join(this.dir, 'config.json');
    if (!existsSync(f)) return undefined;
    return (JSON.parse(readFileSync(f, 'utf8')) as { currentContext?: string }).currentContext;
  }

  use(name: string): void {
    this.get(name);
    this.setCurrent(name);
  }

  private setCurrent(name: string | undefined): void {
    mkdirPrivate(this.dir);
    writePrivate(
      join(this.dir, 'config.json'),
      JSON.stringify(name ? { currentContext: name } : {}, null, 2) + '\n',
    );
  }

  /** The context to talk to: --context, FLOTILLA_CONTEXT (both via `requested`), else current. */
  resolve(requested?: string): ClusterContext {
    const name = requested || this.current();
    if (!name) throw new FlotillaError('NO_CLUSTER_CONTEXT', { name: '(none selected)' });
    return this.get(name);
  }

  /** Writes a context and its credentials (directories 0700, files 0600). */
  save(
    c: { name: string; clusterId: string; managers: string[]; description?: string },
    pem: ContextPem,
  ): ClusterContext {
    checkContextName(c.name);
    mkdirPrivate(this.dir);
    mkdirPrivate(join(this.dir, 'contexts'));
    const d = join(this.dir, 'contexts', c.name);
    mkdirPrivate(d);
    const tls = {
      caFile: join(d, 'ca.pem'),
      certFile: join(d, 'cert.pem'),
      keyFile: join(d, 'key.pem'),
    };
    writePrivate(tls.caFile, pem.caCertPem);
    writePrivate(tls.certFile, pem.certPem);
    writePrivate(tls.keyFile, pem.keyPem);
    const ctx: ClusterContext = { ...c, tls };
    writePrivate(this.file(c.name), JSON.stringify(ctx, null, 2) + '\n');
    return ctx;
  }

  /**
   * Adds the managers a manager named that the context lacks, after the ones it has (so the order
   * the user chose stands). Never removes one: a manager that is down now may come back.
   */
  learnManagers(name: string, apiAddrs: string[]): void {
    const c = this.get(name);
    const fresh = apiAddrs.filter((a) => !c.managers.includes(a));
    if (fresh.length === 0) return;
    c.managers = [...c.managers, ...fresh];
    writePrivate(this.file(name), JSON.stringify(c, null, 2) + '\n');
  }

  /** Removes a context; the current one only with `force` (then no context is current). */
  remove(name: string, force = false): void {
    this.get(name);
    const current = this.current() === name;
    if (current && !force)
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `context "${name}" is in use: set another with \`flotilla context use\`, or use --force`,
      });
    rmSync(join(this.dir, 'contexts', name), { recursive: true, force: true });
    rmSync(this.file(name), { force: true });
    if (current) this.setCurrent(undefined);
  }
}
