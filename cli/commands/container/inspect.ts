// `inspect [--type container|image|volume|network] NAME...`: Docker's object inspect. Without
// --type each name is looked up as Docker's CLI does (container, image, network, volume); names
// not found are reported one by one after the documents found, and the command exits 1.
import type { Command } from 'commander';
import { FlotillaError, isFlotillaError, toFlotillaError } from '../../../shared/errors/index.js';
import type { CliContext } from '../../context.js';
import { checkDocumentFormat, formatDocument } from '../../format/render.js';

export const inspectTypes = ['container', 'image', 'network', 'volume'] as const;
type ObjectType = (typeof inspectTypes)[number];

// `-s` asks the container route for SizeRw/SizeRootFs (Docker's `?size=1`); other types ignore
// it, as `docker inspect -s` does.
const pathOf: Record<ObjectType, (name: string, size: boolean) => string> = {
  container: (n, size) => `/containers/${encodeURIComponent(n)}/json${size ? '?size=1' : ''}`,
  image: (n) => `/images/${encodeURIComponent(n)}/json`,
  network: (n) => `/networks/${encodeURIComponent(n)}`,
  volume: (n) => `/volumes/${encodeURIComponent(n)}`,
};

async function inspectOne(
  c: CliContext,
  name: string,
  type: ObjectType | undefined,
  size: boolean,
): Promise<Record<string, unknown>> {
  if (type) return c.agent().json<Record<string, unknown>>({ path: pathOf[type](name, size) });
  for (const t of inspectTypes) {
    try {
      return await c.agent().json<Record<string, unknown>>({ path: pathOf[t](name, size) });
    } catch (err) {
      // Only "not this type" moves on to the next type; anything else (agent down) is final.
      if (!(isFlotillaError(err) && err.kind === 'not_found')) throw err;
    }
  }
  throw new FlotillaError('OBJECT_NOT_FOUND', { name });
}

/** `inspect` (any type, --type); `container inspect` passes its fixed type and has no --type. */
export function registerInspectCommand(
  program: Command,
  ctx: () => CliContext,
  fixedType?: ObjectType,
): void {
  const cmd = program
    .command('inspect')
    .description(
      fixedType
        ? `Display detailed information on one or more ${fixedType}s`
        : 'Return low-level information on containers, images, volumes or networks',
    )
    .argument('<name...>', 'names or ids of objects')
    .option('-f, --format <format>', "'json' (default) or a Go template like {{.State.Status}}")
    .option('-s, --size', 'display total file sizes if the type is container');
  if (!fixedType)
    cmd.option('--type <type>', `only this type of object: ${inspectTypes.join(', ')}`);
  cmd.action(async (names: string[], o: { format?: string; type?: string; size?: boolean }) => {
    const c = ctx();
    o.type ??= fixedType;
    if (o.type !== undefined && !(inspectTypes as readonly string[]).includes(o.type))
      throw new FlotillaError('INVALID_FLAG_VALUE', {
        flag: '--type',
        value: o.type,
        reason: `not a valid type (${inspectTypes.join(', ')})`,
      });
    // A template that does not parse is refused before anything is asked (Docker: status 64).
    checkDocumentFormat(o.format, true);
    const docs: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const name of names)
      try {
        docs.push(await inspectOne(c, name, o.type as ObjectType | undefined, o.size === true));
      } catch (err) {
        if (!(isFlotillaError(err) && err.kind === 'not_found')) throw err;
        missing.push(toFlotillaError(err).message);
      }
    if (o.format && o.format !== 'json')
      for (const d of docs) c.out.write(formatDocument(o.format, d, true));
    else c.out.write(`${JSON.stringify(docs, null, 4)}\n`);
    if (missing.length === 0) return;
    for (const m of missing) c.err.write(`Error: ${m}\n`);
    process.exitCode = 1;
  });
}
