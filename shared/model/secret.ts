// Secrets and configs: small named blobs a service's tasks see as read-only files. Immutable — a new
// version is a new object with a new name. Names, limits and reference shapes follow Swarm's
// (swarmkit api/specs.proto SecretSpec/ConfigSpec, api/types.proto SecretReference).

/** A secret as the manager stores it: metadata in clear, data only as ciphertext. */
export interface Secret {
  id: string;
  /** Secrets are immutable; kept for Docker's shape (Version.Index). */
  version: number;
  createdAt: string;
  updatedAt: string;
  spec: { name: string; labels: Record<string, string> };
  /**
   * The data sealed with AES-256-GCM under the cluster's secrets data key (manager/secrets):
   * base64(iv ‖ tag ‖ ciphertext), the secret's id bound as additional data. Never sent by the API.
   */
  sealed: string;
  /** Generation of the data key it is sealed under (cluster.secretsKey.id). */
  keyId: string;
  sizeBytes: number;
}

/** A config: like a secret, but its data is stored as it is (base64), as Docker does. */
export interface Config {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  spec: { name: string; labels: Record<string, string>; data: string };
}

/**
 * A service's use of a secret or config: which one, and the file it becomes in the container.
 * Users name it; the manager fills in the id when the spec is written, so that a later secret of
 * the same name (after rm and create) is never picked up silently.
 */
export interface FileReference {
  /** Filled in by the manager from `name`. */
  id: string;
  name: string;
  /**
   * Secrets: a name under /run/secrets (or an absolute path); configs: an absolute path (a
   * relative one is taken from /). Default: the name (secrets), /<name> (configs).
   */
  target: string;
  /** @default '0' */
  uid: string;
  /** @default '0' */
  gid: string;
  /** File mode bits. @default 0o444 */
  mode: number;
}

export type SecretReference = FileReference;
export type ConfigReference = FileReference;

/** Docker's limit (swarmkit MaxSecretSize); configs are held to the same size here. */
export const maxSecretBytes = 500 * 1024;

const namePattern = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;

/** Why `name` is not a valid secret or config name (Docker's rule), or undefined when it is. */
export function secretNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 64) return 'must be at most 64 characters';
  if (!namePattern.test(name))
    return 'must start and end with a letter or digit and hold only [a-zA-Z0-9-_.]';
  return undefined;
}

/** Where a reference's file appears in the container. */
export function fileTargetPath(kind: 'secret' | 'config', target: string): string {
  if (target.startsWith('/')) return target;
  return kind === 'secret' ? `/run/secrets/${target}` : `/${target}`;
}

/** Why a target is refused (empty, `..`, NUL), or undefined. */
export function fileTargetProblem(target: string): string | undefined {
  if (target.length === 0) return 'must not be empty';
  if (target.includes('\0')) return 'must not contain NUL';
  if (target.split('/').some((p) => p === '..')) return 'must not contain ".."';
  if (target === '/' || target.endsWith('/')) return 'must name a file';
  return undefined;
}
