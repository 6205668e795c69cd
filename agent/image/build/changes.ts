// `--change` of `commit` and `import`: Dockerfile metadata instructions applied to an image
// config, as Docker's daemon allows them (no RUN, COPY, ADD, FROM, ARG). One implementation for
// both verbs and both dialects of the API.
import { FlotillaError } from '../../../shared/errors/index.js';
import { parseDockerfile } from './dockerfile.js';
import type { ImageConfig } from '../service-types.js';
import { applyMetadata, type BuildState } from './state.js';

const allowed = new Set([
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'ONBUILD',
  'USER',
  'VOLUME',
  'WORKDIR',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);

/** Applies each change line to `state.config`; any other instruction is refused by name. */
export function applyConfigChanges(state: BuildState, changes: string[]): void {
  const df = parseDockerfile(`FROM scratch\n${changes.join('\n')}`, '--change');
  for (const ins of df.instructions.slice(1)) {
    if (!allowed.has(ins.name))
      throw new FlotillaError('INVALID_ARGUMENT', {
        detail: `${ins.name} is not a valid change command`,
      });
    if (ins.name === 'WORKDIR') {
      state.config.config ??= {};
      (state.config.config as Record<string, unknown>).WorkingDir = ins.rest;
      continue;
    }
    applyMetadata(state, ins, ins.rest, '--change');
  }
}

/** ImageService.import's `configure` for these changes (none: undefined); throws if one is bad. */
export function configChanges(changes: string[]): ((config: ImageConfig) => void) | undefined {
  if (!changes.length) return undefined;
  // Checked now, on a scratch config, so a bad change is refused before any layer is stored.
  applyConfigChanges({ config: { rootfs: { type: 'layers', diff_ids: [] } }, layers: [] }, changes);
  return (config) => applyConfigChanges({ config, layers: [] }, changes);
}
