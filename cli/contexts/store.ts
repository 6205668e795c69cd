// Cluster contexts: ~/.flotilla/contexts/<name>.json names the managers and the client certificate
// files (in ~/.flotilla/contexts/<name>/); ~/.flotilla/config.json names the current one.
// FLOTILLA_CONFIG moves the whole directory.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
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
  tls: { caFile: string; certFile: string; keyFile: string };
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

  get(name: string): ClusterContext {
    const f = this.file(name);
    if (!existsSync(f)) throw new FlotillaError('NO_CLUSTER_CONTEXT', { name });
    return JSON.parse(readFileSync(f, 'utf8')) as ClusterContext;
  }

  current(): string | undefined {
    const f = join(this.dir, 'config.json');
    if (!existsSync(f)) return undefined;
    return (JSON.parse(readFileSync(f, 'utf8')) as { currentContext?: string }).currentContext;
  }

  use(name: string): void {
    this.get(name);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(this.dir, 'config.json'),
      JSON.stringify({ currentContext: name }, null, 2) + '\n',
    );
  }

  /** The context to talk to: --context, FLOTILLA_CONTEXT (both via `requested`), else current. */
  resolve(requested?: string): ClusterContext {
    const name = requested || this.current();
    if (!name) throw new FlotillaError('NO_CLUSTER_CONTEXT', { name: '(none selected)' });
    return this.get(name);
  }

  /** Writes a context and its credentials (key 0600). */
  save(
    c: { name: string; clusterId: string; managers: string[] },
    pem: { caCertPem: string; certPem: string; keyPem: string },
  ): ClusterContext {
    const d = join(this.dir, 'contexts', c.name);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    const tls = {
      caFile: join(d, 'ca.pem'),
      certFile: join(d, 'cert.pem'),
      keyFile: join(d, 'key.pem'),
    };
    writeFileSync(tls.caFile, pem.caCertPem);
    writeFileSync(tls.certFile, pem.certPem);
    writeFileSync(tls.keyFile, pem.keyPem, { mode: 0o600 });
    chmodSync(tls.keyFile, 0o600);
    const ctx: ClusterContext = { ...c, tls };
    writeFileSync(this.file(c.name), JSON.stringify(ctx, null, 2) + '\n');
    return ctx;
  }
}
