// Digest pinning, as Docker's daemon does it for services: the image's tag is resolved to a
// manifest digest when the service is created or its image changes, and the spec then names
// `image:tag@sha256:…`, so every node pulls the same bytes even when the tag moves. A registry the
// manager cannot ask leaves the image as written, with Docker's warning for the CLI to print.
import type { Credentials } from '../../shared/engine/index.js';
import type { ServiceSpec } from '../../shared/model/index.js';
import { familiarName, parseReference } from '../../shared/reference/index.js';
import type { DigestResolver } from './digest-resolver.js';

/** Where the "digest not resolved" line goes (a pino or fastify logger). */
export interface WarnLog {
  warn(obj: object, msg: string): void;
}

/** Docker's `--resolve-image`: always ask, ask only when the image changed, or never. */
export type ResolveImageMode = 'always' | 'changed' | 'never';
export const resolveImageModes: readonly ResolveImageMode[] = ['always', 'changed', 'never'];

/** `web:v1@sha256:…` → `web:v1`; other strings as they are. */
export function withoutDigest(image: string): string {
  const at = image.lastIndexOf('@');
  return at > 0 ? image.slice(0, at) : image;
}

/** The registry host[:port] an image is pulled from (docker.io for Docker Hub). */
export function registryOf(image: string): string | undefined {
  try {
    return parseReference(image).domain;
  } catch {
    return undefined;
  }
}

export interface PinOptions {
  mode: ResolveImageMode;
  /** The spec the service runs now (update, stack redeploy). */
  current?: ServiceSpec;
  credentials?: Credentials;
  resolver?: DigestResolver;
  log: WarnLog;
}

/** The spec with its image pinned (or kept, or left as written), and a warning when it could not be. */
export async function pinImage(
  spec: ServiceSpec,
  o: PinOptions,
): Promise<{ spec: ServiceSpec; warning?: string }> {
  const given = spec.taskTemplate.containerSpec.image;
  const withImage = (image: string): ServiceSpec =>
    image === given
      ? spec
      : {
          ...spec,
          taskTemplate: {
            ...spec.taskTemplate,
            containerSpec: { ...spec.taskTemplate.containerSpec, image },
          },
        };
  const had = o.current?.taskTemplate.containerSpec.image;
  // `changed`: the image as written is the one the service was given; keep what it runs (pinned).
  if (o.mode === 'changed' && had !== undefined && withoutDigest(had) === withoutDigest(given))
    return { spec: withImage(had) };
  if (o.mode === 'never' || !o.resolver) return { spec };
  let ref;
  try {
    ref = parseReference(given);
  } catch {
    return { spec }; // checkServiceSpec or the agent says what is wrong with it
  }
  if (ref.digest) return { spec };
  try {
    const digest = await o.resolver.digestOf(given, o.credentials);
    return { spec: withImage(familiarName({ ...ref, digest })) };
  } catch (err) {
    const reason = reasonOf(err);
    o.log.warn(
      { image: given, code: (err as { code?: string }).code, reason },
      'image digest not resolved',
    );
    return {
      spec,
      warning:
        `image ${given} could not be accessed on a registry to record its digest. ` +
        `Each node will access ${given} independently, possibly leading to different nodes ` +
        `running different versions of the image. (${reason})`,
    };
  }
}

/** fetch's own message is "fetch failed"; the reason is in its cause. */
function reasonOf(err: unknown): string {
  const e = err as Error & { cause?: { message?: string; code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause && !(e as { code?: string }).code ? `${e.message}: ${cause}` : e.message;
}
