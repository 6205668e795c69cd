// Runs a parsed Dockerfile: stages (FROM image | scratch | earlier stage), build args, metadata
// instructions, COPY/ADD layers made straight from the context, RUN steps through a StepRunner,
// the layer cache, and Docker's step output. Only a complete build stores an image; a failed one
// leaves cached steps and their layers (as Docker does) but no image and no container.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { FlotillaError, isFlotillaError } from '../../../shared/errors/index.js';
import { familiarName, refString, shortId } from '../names.js';
import { parseReference } from '../reference/index.js';
import type { ImageConfig, ProgressEvent } from '../service-types.js';
import type { ImageRecord } from '../store/image-store.js';
import { BuildCache, cacheKey, hashSources } from './cache.js';
import {
  dockerfileError,
  expandVars,
  parseDockerfile,
  splitWords,
  type Instruction,
} from './dockerfile.js';
import { storeBuiltLayer, writeImage, type ImageWriterDeps } from './image-writer.js';
import { CopyError, describeSources, matchSources, planCopy } from './copy.js';
import { writeLayerTar, type PlannedEntry } from './layer-tar.js';
import { resolveOwner, resolveIn, type RootfsViews } from './rootfs.js';
import type { StepRunner } from './run-step.js';
import {
  applyMetadata,
  chainIdsOf,
  cloneState,
  commandOf,
  envMap,
  nopCreatedBy,
  recordStep,
  runConfig,
  scratchState,
  shortStateId,
  stateId,
  type BuildState,
} from './state.js';

export interface BuildOptions {
  /** The unpacked context. */
  contextDir: string;
  /** Dockerfile path inside the context. @default 'Dockerfile' */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  /** Stop after this stage. */
  target?: string;
  /**
   * Network of RUN containers, as Docker's `--network`. 'bridge' needs the agent's network
   * component; without it the engine gives RUN a namespace with loopback only. @default 'bridge'
   */
  network?: 'none' | 'bridge';
  /** Build output text (step lines, RUN output). */
  onStream(text: string): void;
  signal?: AbortSignal;
}

export interface BuilderDeps {
  images: {
    find(name: string): ImageRecord;
    config(rec: ImageRecord): Promise<ImageConfig>;
    pull(
      name: string,
      opts: { onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal },
    ): Promise<unknown>;
  };
  writer: ImageWriterDeps;
  cache: BuildCache;
  views: RootfsViews;
  /** Absent: RUN fails with a clear error. */
  runner?: StepRunner;
  tmpRoot: string;
  architecture: string;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
}

interface Stage {
  name?: string;
  state: BuildState;
}

/** Instructions whose arguments Docker expands with ARG and ENV values. */
const expanded = new Set([
  'ADD',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
  'ARG',
  'MAINTAINER',
]);

export class Builder {
  constructor(private readonly deps: BuilderDeps) {}

  async build(opts: BuildOptions): Promise<BuildResult> {
    const file = opts.dockerfile || 'Dockerfile';
    const df = parseDockerfile(await this.readDockerfile(opts.contextDir, file), file);
    const tags = (opts.tags ?? []).map((t) => {
      try {
        return refString(parseReference(t));
      } catch (err) {
        throw new FlotillaError('INVALID_ARGUMENT', {
          detail: `invalid tag "${t}": ${(err as Error).message}`,
        });
      }
    });
    const work = join(this.deps.tmpRoot, `build-${randomBytes(6).toString('hex')}`);
    await mkdir(work, { recursive: true, mode: 0o700 });
    try {
      const run = new BuildRun(this.deps, opts, df.file, df.escape, work);
      const state = await run.execute(df.instructions);
      const rec = await writeImage(this.deps.writer, state.config, state.layers, tags);
      opts.onStream(`Successfully built ${shortId(rec.id)}\n`);
      for (const t of tags) opts.onStream(`Successfully tagged ${familiarName(t)}\n`);
      return { imageId: rec.id, tags: tags.map(familiarName) };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async readDockerfile(dir: string, file: string): Promise<string> {
    try {
      return await readFile(await resolveIn(dir, file), 'utf8');
    } catch (err) {
      throw new FlotillaError(
        'BUILD_CONTEXT_INVALID',
        { path: file, reason: 'cannot read the Dockerfile: no such file in the build context' },
        { cause: err },
      );
    }
  }
}

/** One build's mutable progress: stages so far, args in scope, the step counter. */
class BuildRun {
  private readonly stages: Stage[] = [];
  private metaArgs: Record<string, string> = {};
  private stageArgs: Record<string, string> = {};
  private step = 0;
  private total = 0;
  private layerN = 0;
  private cmdSetInStage = false;

  constructor(
    private readonly deps: BuilderDeps,
    private readonly opts: BuildOptions,
    private readonly file: string,
    private readonly escape: string,
    private readonly work: string,
  ) {}

  private out(text: string): void {
    this.opts.onStream(text);
  }

  async execute(instructions: Instruction[]): Promise<BuildState> {
    this.total = instructions.length;
    const buildArgs = this.opts.buildArgs ?? {};
    const used = new Set<string>();
    let state: BuildState | undefined;
    let stageName: string | undefined;
    for (const ins of instructions) {
      this.opts.signal?.throwIfAborted();
      this.step++;
      this.out(`Step ${this.step}/${this.total} : ${ins.original}\n`);
      try {
        if (ins.name === 'FROM') {
          if (state) {
            this.stages.push({ name: stageName, state });
            if (this.opts.target && stageName === this.opts.target) return state;
          }
          ({ state, name: stageName } = await this.from(ins));
          this.stageArgs = {};
          this.cmdSetInStage = false;
          this.out(` ---> ${shortStateId(state)}\n`);
          continue;
        }
        if (!state) {
          // ARG before the first FROM: only FROM lines see these.
          for (const [k, v] of this.parseArg(ins, this.metaArgs, buildArgs)) {
            this.metaArgs[k] = v;
            used.add(k);
          }
          continue;
        }
        if (ins.name === 'ARG') for (const w of splitWords(ins.rest)) used.add(w.split('=')[0]);
        state = await this.instruction(state, ins);
        this.out(` ---> ${shortStateId(state)}\n`);
      } catch (err) {
        throw this.wrap(err, ins);
      }
    }
    if (!state) throw dockerfileError(this.file, 1, 'no FROM instruction');
    if (
      this.opts.target &&
      stageName !== this.opts.target &&
      !this.stages.some((s) => s.name === this.opts.target)
    )
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `target stage "${this.opts.target}" could not be found`,
      });
    const unused = Object.keys(buildArgs).filter((k) => !used.has(k) && !predefinedArgs.has(k));
    if (unused.length)
      this.out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    return state;
  }

  private wrap(err: unknown, ins: Instruction): unknown {
    if (isFlotillaError(err)) {
      if (['DOCKERFILE_SYNTAX', 'BUILD_STEP_FAILED'].includes(err.code)) return err;
      return new FlotillaError(
        'BUILD_STEP_FAILED',
        { file: this.file, line: ins.line, instruction: ins.name, reason: err.message },
        { cause: err },
      );
    }
    if ((err as Error)?.name === 'AbortError') return err;
    return new FlotillaError(
      'BUILD_STEP_FAILED',
      { file: this.file, line: ins.line, instruction: ins.name, reason: (err as Error).message },
      { cause: err },
    );
  }

  /** Variables for expansion: args in scope, overridden by ENV (Docker's precedence). */
  private vars(state: BuildState): Record<string, string> {
    return { ...this.stageArgs, ...Object.fromEntries(envMap(state)) };
  }

  private parseArg(
    ins: Instruction,
    vars: Record<string, string>,
    buildArgs: Record<string, string>,
  ): [string, string][] {
    if (ins.name !== 'ARG')
      throw dockerfileError(this.file, ins.line, 'only ARG may come before the first FROM');
    const out: [string, string][] = [];
    for (const w of splitWords(ins.rest)) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        throw dockerfileError(this.file, ins.line, `invalid ARG name "${name}"`);
      const def = eq < 0 ? undefined : expandVars(w.slice(eq + 1), vars, this.escape);
      const value = buildArgs[name] ?? def ?? this.metaArgs[name];
      if (value !== undefined) out.push([name, value]);
    }
    return out;
  }

  private async from(ins: Instruction): Promise<{ state: BuildState; name?: string }> {
    const words = splitWords(expandVars(ins.rest, this.metaArgs, this.escape));
    const ref = words[0];
    const name = words[2]?.toLowerCase();
    if (name !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(name))
      throw dockerfileError(this.file, ins.line, `invalid stage name "${words[2]}"`);
    if (name && this.stages.some((s) => s.name === name))
      throw dockerfileError(this.file, ins.line, `duplicate stage name "${name}"`);
    if (ref === '') throw dockerfileError(this.file, ins.line, 'FROM requires an image name');
    if (ref.toLowerCase() === 'scratch')
      return { state: scratchState(this.deps.architecture), name };
    const stage = this.findStage(ref);
    if (stage) return { state: cloneState(stage.state), name };
    return { state: await this.imageState(ref), name };
  }

  private findStage(ref: string): Stage | undefined {
    const lower = ref.toLowerCase();
    const byName = this.stages.find((s) => s.name === lower);
    if (byName) return byName;
    if (/^\d+$/.test(ref)) return this.stages[Number(ref)];
    return undefined;
  }

  private async imageState(ref: string): Promise<BuildState> {
    let rec: ImageRecord;
    try {
      rec = this.deps.images.find(ref);
    } catch (err) {
      if (!isFlotillaError(err) || err.kind !== 'not_found') throw err;
      this.out(`Pulling ${ref}\n`);
      await this.deps.images.pull(ref, {
        signal: this.opts.signal,
        onProgress: (e) => {
          if (!e.progress) this.out(`${e.id ? `${e.id}: ` : ''}${e.status}\n`);
        },
      });
      rec = this.deps.images.find(ref);
    }
    const config = structuredClone(await this.deps.images.config(rec));
    config.history ??= [];
    return { config, layers: structuredClone(rec.layers) };
  }

  private async instruction(prev: BuildState, ins: Instruction): Promise<BuildState> {
    const raw = ins.rest;
    const text = expanded.has(ins.name) ? expandVars(raw, this.vars(prev), this.escape) : raw;
    const flags = Object.entries(ins.flags)
      .map(([k, v]) => `--${k}=${expandVars(v, this.vars(prev), this.escape)} `)
      .join('');
    const shown = `${ins.name} ${flags}${text}`;
    if (ins.name === 'ARG') {
      for (const [k, v] of this.parseArg(ins, this.vars(prev), this.opts.buildArgs ?? {}))
        this.stageArgs[k] = v;
      // Declared without value: still in scope (as empty for expansion), like Docker.
      for (const w of splitWords(raw)) {
        const n = w.split('=')[0];
        if (!(n in this.stageArgs)) this.stageArgs[n] = '';
      }
    }
    if (ins.name === 'ONBUILD' && /^(ONBUILD|FROM|MAINTAINER)\b/i.test(text))
      throw dockerfileError(
        this.file,
        ins.line,
        `${text.split(/\s/)[0].toUpperCase()} isn't allowed as an ONBUILD trigger`,
      );
    if (ins.name === 'CMD') this.cmdSetInStage = true;

    const extra = await this.cacheExtra(prev, ins, text);
    const key = cacheKey({ parentId: stateId(prev), instruction: shown, extra: extra.key });
    if (!this.opts.noCache) {
      const hit = await this.deps.cache.get(key);
      if (hit) {
        this.out(' ---> Using cache\n');
        return hit;
      }
    }
    const state = cloneState(prev);
    switch (ins.name) {
      case 'RUN':
        await this.run(state, ins);
        break;
      case 'COPY':
      case 'ADD':
        await this.copy(state, ins, text, extra);
        break;
      case 'WORKDIR':
        await this.workdir(state, text);
        break;
      case 'ARG':
        recordStep(state, nopCreatedBy(`ARG ${text}`));
        break;
      default: {
        const hadCmd = ins.name === 'ENTRYPOINT' && !this.cmdSetInStage;
        applyMetadata(state, ins, text, this.file);
        if (hadCmd) runConfig(state).Cmd = null;
        recordStep(state, nopCreatedBy(`${ins.name} ${metaText(ins, text, state)}`));
      }
    }
    await this.deps.cache.put(key, state);
    return state;
  }

  private buildArgEnv(state: BuildState): string[] {
    const env = envMap(state);
    return Object.entries(this.stageArgs)
      .filter(([k]) => !env.has(k))
      .map(([k, v]) => `${k}=${v}`)
      .sort();
  }

  private async cacheExtra(
    state: BuildState,
    ins: Instruction,
    text: string,
  ): Promise<{ key?: string; matches?: Awaited<ReturnType<typeof matchSources>> }> {
    if (ins.name === 'RUN') return { key: this.buildArgEnv(state).join('\n') };
    if (ins.name !== 'COPY' && ins.name !== 'ADD') return {};
    const from = ins.flags.from;
    if (from !== undefined) {
      const src = await this.sourceState(ins, from);
      return { key: `from:${stateId(src)}` };
    }
    const { sources } = this.copyArgs(ins, text);
    try {
      const matches = await matchSources(this.opts.contextDir, sources);
      return { key: hashSources(await describeSources(matches)), matches };
    } catch (err) {
      if (err instanceof CopyError) throw this.copyFailed(ins, err.message);
      throw err;
    }
  }

  private copyFailed(ins: Instruction, reason: string): FlotillaError {
    return new FlotillaError('BUILD_STEP_FAILED', {
      file: this.file,
      line: ins.line,
      instruction: ins.name,
      reason,
    });
  }

  private copyArgs(ins: Instruction, text: string): { sources: string[]; dest: string } {
    const words = ins.json ?? splitWords(text);
    const dest = words[words.length - 1];
    const sources = words.slice(0, -1);
    for (const f of Object.keys(ins.flags))
      if (!['from', 'chown', 'chmod', 'link'].includes(f) || (ins.name === 'ADD' && f === 'from'))
        throw dockerfileError(this.file, ins.line, `unknown flag: --${f}`);
    for (const s of sources)
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
        if (ins.name === 'ADD')
          throw new FlotillaError('BUILD_ADD_URL_UNSUPPORTED', {
            file: this.file,
            line: ins.line,
            url: s,
          });
        throw dockerfileError(this.file, ins.line, `COPY does not take URLs: ${s}`);
      }
    return { sources, dest };
  }

  private async sourceState(ins: Instruction, from: string): Promise<BuildState> {
    const name = expandVars(
      from,
      this.vars({ config: { rootfs: { type: 'layers', diff_ids: [] } }, layers: [] }),
      this.escape,
    );
    const stage = this.findStage(name);
    if (stage) return stage.state;
    try {
      parseReference(name);
    } catch {
      throw dockerfileError(this.file, ins.line, `COPY --from: no stage or image named "${name}"`);
    }
    return this.imageState(name);
  }

  private async copy(
    state: BuildState,
    ins: Instruction,
    text: string,
    extra: { matches?: Awaited<ReturnType<typeof matchSources>> },
  ): Promise<void> {
    const { sources, dest: rawDest } = this.copyArgs(ins, text);
    const workdir = runConfig(state).WorkingDir || '/';
    const dest = posix.isAbsolute(rawDest) ? rawDest : posix.join(workdir, rawDest);
    const destSlash = rawDest.endsWith('/') || rawDest === '.' || rawDest.endsWith('/.');
    const chmod = ins.flags.chmod;
    if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod))
      throw dockerfileError(this.file, ins.line, `invalid --chmod value "${chmod}"`);
    const tmpDir = join(this.work, `copy-${this.step}`);
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const entries = await this.deps.views.with(chainIdsOf(state), async (targetRoot) => {
      const owner = ins.flags.chown
        ? await resolveOwner(
            targetRoot,
            expandVars(ins.flags.chown, this.vars(state), this.escape),
          ).catch((err: Error) => {
            throw this.copyFailed(ins, err.message);
          })
        : undefined;
      const plan = async (srcRoot: string, matches?: Awaited<ReturnType<typeof matchSources>>) => {
        let m = matches;
        if (!m) {
          try {
            m = await matchSources(srcRoot, sources);
          } catch (err) {
            if (err instanceof CopyError) throw this.copyFailed(ins, err.message);
            throw err;
          }
        }
        return planCopy({
          matches: m,
          dest,
          destSlash,
          targetRoot: state.layers.length ? targetRoot : undefined,
          owner,
          extractArchives: ins.name === 'ADD',
          tmpDir,
        });
      };
      if (ins.flags.from !== undefined) {
        const src = await this.sourceState(ins, ins.flags.from);
        // The tar is written while the source view is still mounted: entries point into it.
        return this.deps.views.with(chainIdsOf(src), async (root) =>
          this.layerFromPlan(await plan(root), chmod),
        );
      }
      return this.layerFromPlan(await plan(this.opts.contextDir, extra.matches), chmod);
    });
    const layer = await storeBuiltLayer(this.deps.writer, chainIdsOf(state).at(-1), entries);
    const what = sources.length === 1 ? sources[0] : `multi:${sources.length}`;
    recordStep(state, nopCreatedBy(`${ins.name} ${what} in ${dest} `), layer);
  }

  /** Writes the planned layer while the source views are still mounted. */
  private async layerFromPlan(planned: PlannedEntry[], chmod?: string) {
    if (chmod) {
      const mode = parseInt(chmod, 8);
      for (const e of planned) if (e.type === 'file' || e.type === 'directory') e.mode = mode;
    }
    return writeLayerTar(join(this.work, `layer-${this.layerN++}.tar`), planned);
  }

  private async workdir(state: BuildState, text: string): Promise<void> {
    const rc = runConfig(state);
    const dir = posix.normalize(
      posix.isAbsolute(text) ? text : posix.join(rc.WorkingDir || '/', text),
    );
    rc.WorkingDir = dir;
    const exists = await this.deps.views.with(chainIdsOf(state), async (root) => {
      if (state.layers.length === 0) return false;
      try {
        const { stat } = await import('node:fs/promises');
        return (await stat(await resolveIn(root, dir))).isDirectory();
      } catch {
        return false;
      }
    });
    if (exists || dir === '/') {
      recordStep(state, nopCreatedBy(`WORKDIR ${dir}`));
      return;
    }
    const layerTar = await this.deps.views.with(chainIdsOf(state), async (root) =>
      this.layerFromPlan(
        await planCopy({
          matches: [],
          dest: dir,
          destSlash: true,
          targetRoot: state.layers.length ? root : undefined,
          extractArchives: false,
          tmpDir: this.work,
        }).then(async (p) => [
          ...p,
          {
            name: dir.slice(1),
            type: 'directory' as const,
            mode: 0o755,
            uid: 0,
            gid: 0,
            mtime: new Date(),
          },
        ]),
      ),
    );
    const layer = await storeBuiltLayer(this.deps.writer, chainIdsOf(state).at(-1), layerTar);
    recordStep(state, nopCreatedBy(`WORKDIR ${dir}`), layer);
  }

  private async run(state: BuildState, ins: Instruction): Promise<void> {
    if (!this.deps.runner)
      throw this.copyFailed(ins, 'this agent cannot run containers for builds');
    const cmd = commandOf(ins, ins.rest, state);
    const argEnv = this.buildArgEnv(state);
    const res = await this.deps.runner.run({
      state,
      cmd,
      env: argEnv,
      network: this.opts.network ?? 'bridge',
      onOutput: (d) => this.out(d.toString('utf8')),
      layerFile: join(this.work, `layer-${this.layerN++}.tar`),
      signal: this.opts.signal,
    });
    const shownCmd = ins.json ? JSON.stringify(ins.json) : ins.rest;
    if (res.exitCode !== 0 || !res.layer)
      throw this.copyFailed(
        ins,
        `the command '${shownCmd}' returned a non-zero code: ${res.exitCode}`,
      );
    const layer = await storeBuiltLayer(this.deps.writer, chainIdsOf(state).at(-1), res.layer);
    const prefix = argEnv.length ? `|${argEnv.length} ${argEnv.join(' ')} ` : '';
    recordStep(state, `${prefix}${cmd.join(' ')}`, layer);
  }
}

/** ARG names Docker accepts without a declaration (proxies). */
const predefinedArgs = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

function metaText(ins: Instruction, text: string, state: BuildState): string {
  const rc = runConfig(state);
  switch (ins.name) {
    case 'CMD':
      return JSON.stringify(rc.Cmd ?? []);
    case 'ENTRYPOINT':
      return JSON.stringify(rc.Entrypoint ?? []);
    case 'SHELL':
      return JSON.stringify(rc.Shell ?? []);
    case 'HEALTHCHECK':
      return `&{${JSON.stringify(rc.Healthcheck?.Test ?? [])}}`;
    default:
      return text;
  }
}
