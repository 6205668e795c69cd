// Keeps container records in memory and on disk (one JSON file per container, written atomically)
// and resolves user-given references: full id, unique id prefix, or name.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { writeFileAtomic } from '../../../shared/fs/atomic.js';
import type { ContainerRecord } from './record.js';

const nameRe = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const adjectives = [
  'brave',
  'calm',
  'eager',
  'fancy',
  'gentle',
  'happy',
  'jolly',
  'kind',
  'lucid',
  'merry',
  'nifty',
  'proud',
  'quirky',
  'sharp',
  'tender',
  'vivid',
  'witty',
  'zen',
];
const nouns = [
  'albatross',
  'beacon',
  'cutter',
  'dinghy',
  'ferry',
  'galleon',
  'harbor',
  'keel',
  'lighthouse',
  'mast',
  'pilot',
  'quay',
  'rudder',
  'schooner',
  'tug',
  'wharf',
  'yawl',
];

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly names = new Map<string, string>();

  constructor(private readonly deps: { dir: string }) {}

  async load(): Promise<ContainerRecord[]> {
    await mkdir(this.deps.dir, { recursive: true, mode: 0o700 });
    for (const id of await readdir(this.deps.dir)) {
      try {
        const file = join(this.deps.dir, id, 'container.json');
        const rec = JSON.parse(await readFile(file, 'utf8')) as ContainerRecord;
        // Records written by older versions were 0644 (they hold env values): closed on load.
        await chmod(join(this.deps.dir, id), 0o700);
        await chmod(file, 0o600);
        this.byId.set(rec.id, rec);
        this.names.set(rec.name, rec.id);
      } catch {
        // A directory without a record is a create that never finished: nothing refers to it.
        await rm(join(this.deps.dir, id), { recursive: true, force: true });
      }
    }
    return [...this.byId.values()];
  }

  newId(): string {
    let id: string;
    do id = randomBytes(32).toString('hex');
    while (this.byId.has(id) || /^\d+$/.test(id.slice(0, 12)));
    return id;
  }

  dirOf(id: string): string {
    return join(this.deps.dir, id);
  }

  /** Reserves a name (validated, unique) for a new container; generated when empty. */
  reserveName(id: string, name?: string): string {
    if (name) {
      if (!nameRe.test(name)) throw new FlotillaError('CONTAINER_NAME_INVALID', { name });
      const n = name.replace(/^\//, '');
      const holder = this.names.get(n);
      if (holder) throw new FlotillaError('CONTAINER_NAME_IN_USE', { name: n, id: holder });
      this.names.set(n, id);
      return n;
    }
    for (;;) {
      const n = `${adjectives[randomBytes(1)[0] % adjectives.length]}_${nouns[randomBytes(1)[0] % nouns.length]}${randomBytes(1)[0] % 100}`;
      if (!this.names.has(n)) {
        this.names.set(n, id);
        return n;
      }
    }
  }

  releaseName(name: string, id: string): void {
    if (this.names.get(name) === id) this.names.delete(name);
  }

  rename(rec: ContainerRecord, newName: string): void {
    const n = this.reserveName(rec.id, newName);
    this.releaseName(rec.name, rec.id);
    rec.name = n;
  }

  get(ref: string): ContainerRecord {
    const rec = this.find(ref);
    if (!rec) throw new FlotillaError('CONTAINER_NOT_FOUND', { id: ref });
    return rec;
  }

  find(ref: string): ContainerRecord | undefined {
    const clean = ref.replace(/^\//, '');
    const exact = this.byId.get(clean);
    if (exact) return exact;
    const byName = this.names.get(clean);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(clean)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(clean));
    if (matches.length > 1)
      throw new FlotillaError('CONTAINER_ID_AMBIGUOUS', { id: clean, count: matches.length });
    return matches.length ? this.byId.get(matches[0]) : undefined;
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /**
   * Writes the record (atomic rename). `durable: false` skips the fsyncs, for a change that is cheap
   * to lose in a power cut: a health probe's result that did not change the status (50 a second
   * with 100 containers checked every 2 s).
   */
  async save(rec: ContainerRecord, opts: { durable?: boolean } = {}): Promise<void> {
    this.byId.set(rec.id, rec);
    const dir = this.dirOf(rec.id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // 0600: the record holds the container's environment (docs/design/agent-files.md).
    await writeFileAtomic(join(dir, 'container.json'), JSON.stringify(rec, null, 1), {
      mode: 0o600,
      durable: opts.durable ?? true,
    });
  }

  async delete(rec: ContainerRecord): Promise<void> {
    this.byId.delete(rec.id);
    this.releaseName(rec.name, rec.id);
    await rm(this.dirOf(rec.id), { recursive: true, force: true });
  }
}
