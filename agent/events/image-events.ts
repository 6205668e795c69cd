// Docker's image events (pull, push, tag, untag, delete, import, load, save) around the image
// service: a Proxy that reports each operation once it succeeded, with Docker's Actor.ID and
// `name` attribute (a reference for pull and push, the image id for the rest).
import type { ObjectEvent } from '../../shared/engine/index.js';
import type { ImageService, RemoveResult } from '../image/index.js';

type Emit = (e: ObjectEvent) => void;

const event = (action: string, id: string, name = id): ObjectEvent => ({
  type: 'image',
  action,
  id,
  attributes: { name },
});

/** `busybox:latest` → `busybox` (Docker's FamiliarName: the reference without tag or digest). */
const nameOnly = (ref: string) => ref.replace(/(@.*|:[^:/]*)$/, '');

function removals(emit: Emit, idOf: (r: RemoveResult) => string, results: RemoveResult[]): void {
  for (const r of results) {
    if (r.Untagged) emit(event('untag', idOf(r)));
    if (r.Deleted) emit(event('delete', r.Deleted));
  }
}

export function withImageEvents(images: ImageService, emit: Emit): ImageService {
  const wrapped: Partial<ImageService> = {
    pull: async (name, opts) => {
      const r = await images.pull(name, opts);
      emit(event('pull', r.ref, nameOnly(r.ref)));
      return r;
    },
    push: async (name, opts) => {
      const r = await images.push(name, opts);
      emit(event('push', name, nameOnly(name)));
      return r;
    },
    tag: async (source, target) => {
      await images.tag(source, target);
      const id = images.find(target).id;
      emit(
        event(
          'tag',
          id,
          images
            .list()
            .find((i) => i.Id === id)
            ?.RepoTags.at(-1) ?? target,
        ),
      );
    },
    remove: async (name, opts) => {
      const id = images.find(name).id;
      const out = await images.remove(name, opts);
      removals(emit, () => id, out);
      return out;
    },
    prune: async (opts) => {
      // Each untagged name is matched to its image before the prune forgets it.
      const before = new Map(images.list().flatMap((i) => i.RepoTags.map((t) => [t, i.Id])));
      const out = await images.prune(opts);
      const deleted = out.ImagesDeleted ?? [];
      removals(emit, (r) => before.get(r.Untagged ?? '') ?? r.Untagged ?? '', deleted);
      return out;
    },
    import: async (tar, opts) => {
      const id = await images.import(tar, opts);
      emit(event('import', id));
      return id;
    },
    load: async (tar) => {
      const out = await images.load(tar);
      for (const line of out) {
        const m = /^Loaded image(?: ID)?: (.+)$/.exec(line);
        if (m) {
          const id = images.find(m[1]).id;
          emit(event('load', id));
        }
      }
      return out;
    },
    save: (names) => {
      const ids = names.map((n) => images.find(n).id);
      const stream = images.save(names);
      stream.once('end', () => ids.forEach((id) => emit(event('save', id))));
      return stream;
    },
  };
  return new Proxy(images, {
    get(target, prop, receiver) {
      if (prop in wrapped) return wrapped[prop as keyof ImageService];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
