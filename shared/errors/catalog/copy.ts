// Errors of `cp` and the archive routes (shared/archive, agent/api/routes/archive.ts): Docker's
// words, so the docker CLI and docker-py show what they would show against Docker's daemon.
import type { CodeCatalog } from '../types.js';

export const copyCodes = {
  CONTAINER_PATH_NOT_FOUND: {
    kind: 'not_found',
    message: 'Could not find the file {path} in container {container}',
  },
  COPY_ARGUMENTS: {
    kind: 'invalid_argument',
    message: '{detail}',
    hint: 'usage: flotilla cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|- or SRC_PATH|- CONTAINER:DEST_PATH',
  },
  COPY_FAILED: {
    kind: 'invalid_argument',
    message: '{detail}',
  },
  COPY_HELPER_MISSING: {
    kind: 'unavailable',
    message:
      'copying to or from a container needs the agent helper {helper}, which is not installed',
    hint: 'build it with `npm run build` (it needs gcc and libc6-dev, see deploy/install-deps.sh)',
  },
  COPY_NOT_A_DIRECTORY: {
    kind: 'invalid_argument',
    message: 'extraction point is not a directory',
    hint: '{path} in container {container} is not a directory; copy to a directory or to a new name',
  },
  COPY_READ_ONLY: {
    kind: 'failed_precondition',
    message: '{what} is marked read-only',
  },
  COPY_OVERWRITE: {
    kind: 'invalid_argument',
    message: 'cannot overwrite {existing} "{path}" with {with} "{entry}"',
  },
  COPY_DIRECTORY_ONTO_FILE: {
    kind: 'invalid_argument',
    message: 'cannot copy directory',
    hint: 'the destination {path} exists and is not a directory',
  },
  COPY_NO_SUCH_DIRECTORY: {
    kind: 'invalid_argument',
    message: 'no such directory',
    hint: 'the destination {path} names a directory that does not exist; create it first',
  },
} satisfies CodeCatalog;
