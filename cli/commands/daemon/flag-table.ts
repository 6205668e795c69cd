// Flags of `flotilla agent` and `flotilla manager` bound to typed settings by an explicit table:
// a flag reaches the setting the table names (never one whose name merely matches commander's
// camelCase of the flag, which is how --insecure-registry once went nowhere), parsed by its type.
import type { Command } from 'commander';
import { FlotillaError } from '../../../shared/errors/index.js';
import { collect } from '../../repeatable.js';

/** How a flag's value is read: text, a repeatable list, a whole number, or a switch. */
export type FlagType = 'string' | 'list' | 'integer' | 'boolean';

export interface FlagBinding<S> {
  /** commander's spec: '--data-root <dir>', '--init', '--no-socket' (a switch that sets false). */
  flag: string;
  description: string;
  /** The setting the value goes to. */
  setting: keyof S & string;
  type: FlagType;
}

/** Declares the table's flags on the command. */
export function defineFlags<S>(cmd: Command, table: readonly FlagBinding<S>[]): Command {
  for (const b of table) {
    if (b.type === 'list') cmd.option(b.flag, b.description, collect);
    else cmd.option(b.flag, b.description);
  }
  return cmd;
}

/**
 * The settings the command line gave, by the table: only flags the user typed (commander's default
 * of a --no-x switch is not a choice the user made, so the config file and environment still apply).
 * @throws INVALID_FLAG_VALUE naming the flag, for a value its type refuses.
 */
export function settingsFromFlags<S>(cmd: Command, table: readonly FlagBinding<S>[]): Partial<S> {
  const out: Partial<Record<keyof S, unknown>> = {};
  for (const b of table) {
    const option = cmd.options.find((o) => o.flags === b.flag);
    if (!option) throw new Error(`flag ${b.flag} is in the table but not on the command`);
    const key = option.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    out[b.setting] = parseValue(b, option.long ?? b.flag, cmd.getOptionValue(key));
  }
  return out as Partial<S>;
}

function parseValue<S>(b: FlagBinding<S>, flag: string, raw: unknown): unknown {
  switch (b.type) {
    case 'boolean':
      return Boolean(raw);
    case 'list':
      return [raw as string[]].flat();
    case 'integer': {
      const text = String(raw).trim();
      if (!/^\d+$/.test(text))
        throw new FlotillaError('INVALID_FLAG_VALUE', {
          flag,
          value: String(raw),
          reason: 'not a whole number',
        });
      return Number(text);
    }
    default:
      return String(raw);
  }
}
