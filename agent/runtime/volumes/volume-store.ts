// Named and anonymous volumes: directories under <dataRoot>/volumes/<name>/_data, with a small
// metadata file. A new volume is seeded from the image's content at its mount point on first use.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlotillaError } from '../../../shared/errors/index.js';
import { runCommand } from '../runc/runc.js';
import type { VolumeInfo } from '../types.js';

const nameRe = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeStore {
  constructor(
    private readonly deps: {
      dir: string;
      /** Docker's volume events: `create` for a new volume, `destroy` once it is removed. */
      onEvent?: (action: 'create' | 'destroy', name: string) => void;
    },
  ) {}

  private path(name: string): string {
    return join(this.deps.dir, name);
  }

  dataDir(name: string): string {
    return join(this.path(name), '_data');
  }

  async create(
    name?: string,
    labels: Record<string, string> = {},
    anonymous = false,
  ): Promise<VolumeInfo> {
    const n = name || randomBytes(32).toString('hex');
    if (!nameRe.test(n))
      throw new FlotillaError('CONTAINER_OPTION_INVALID', {
        option: 'volume name',
        value: n,
        reason: 'only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
      });
    if (existsSync(join(this.path(n), 'volume.json'))) return this.inspect(n);
    // The volume's own dir is private; _data is the mount point's root inside containers, so it
    // keeps a mode every container user can traverse (as Docker's).
    await mkdir(this.path(n), { recursive: true, mode: 0o700 });
    await mkdir(this.dataDir(n), { recursive: true, mode: 0o755 });
    const info: VolumeInfo = {
      Name: n,
      Driver: 'local',
      Mountpoint: this.dataDir(n),
      CreatedAt: new Date().toISOString(),
      Labels: labels,
      Scope: 'local',
    };
    await writeFile(join(this.path(n), 'volume.json'), JSON.stringify({ ...info, anonymous }), {
      mode: 0o600,
    });
    this.deps.onEvent?.('create', n);
    return info;
  }

  exists(name: string): boolean {
    return existsSync(join(this.path(name), 'volume.json'));
  }

  async inspect(name: string): Promise<VolumeInfo> {
    try {
      const { anonymous: _a, ...info } = JSON.parse(
        await readFile(join(this.path(name), 'volume.json'), 'utf8'),
      ) as VolumeInfo & { anonymous?: boolean };
      return info;
    } catch {
      throw new FlotillaError('VOLUME_NOT_FOUND', { name });
    }
  }

  /** True for a volume created without a name (`-v /path`, Dockerfile VOLUME). */
  async anonymous(name: string): Promise<boolean> {
    const doc = JSON.parse(await readFile(join(this.path(name), 'volume.json'), 'utf8')) as {
      anonymous?: boolean;
    };
    return doc.anonymous === true;
  }

  async list(): Promise<VolumeInfo[]> {
    await mkdir(this.deps.dir, { recursive: true, mode: 0o700 });
    const out: VolumeInfo[] = [];
    for (const n of await readdir(this.deps.dir)) {
      try {
        out.push(await this.inspect(n));
      } catch {
        // half-created volume directory: ignored
      }
    }
    return out;
  }

  async remove(name: string): Promise<void> {
    await this.inspect(name);
    await rm(this.path(name), { recursive: true, force: true });
    this.deps.onEvent?.('destroy', name);
  }

  /** Copies the image's content at the mount point into an empty volume (Docker's seeding). */
  async seed(name: string, imageDir: string): Promise<void> {
    const data = this.dataDir(name);
    if (!existsSync(imageDir) || readdirSync(data).length > 0) return;
    await runCommand('cp', ['-a', `${imageDir}/.`, data]);
  }
}
