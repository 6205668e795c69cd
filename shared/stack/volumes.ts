// Short volume syntax as docker's compose loader parses it ("[source:]target[:options]"): a source
// starting with '.', '/' or '~' is a bind mount, anything else a named volume, no source an
// anonymous volume. A single letter before ':' is taken for a Windows drive, as docker does.

export interface ComposeVolume {
  type?: string;
  source?: string;
  target?: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string };
  volume?: { nocopy?: boolean };
  tmpfs?: { size?: number };
  cluster?: Record<string, never>;
}

const propagations = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const isLetter = (c: string) => /\p{L}/u.test(c);

function isFilePath(source: string): boolean {
  if ('./~'.includes(source[0])) return true;
  if ([...source].length === 1) return false;
  if (source.startsWith('\\\\')) return true;
  return isLetter(source[0]) && source[1] === ':';
}

export function parseVolumeSpec(spec: string): ComposeVolume {
  const v: ComposeVolume = {};
  if (spec.length === 0) throw new Error('invalid empty volume spec');
  if (spec.length <= 2) return { type: 'volume', target: spec };
  let buffer = '';
  const chars = [...spec, '\u0000'];
  for (const ch of chars) {
    if (ch === ':' && [...buffer].length === 1 && isLetter(buffer)) {
      buffer += ch;
    } else if (ch === ':' || ch === '\u0000') {
      const end = ch === '\u0000';
      if (buffer.length === 0)
        throw new Error(`invalid spec: ${spec}: empty section between colons`);
      if (v.source === undefined && end) v.target = buffer;
      else if (v.source === undefined) v.source = buffer;
      else if (v.target === undefined) v.target = buffer;
      else if (!end) throw new Error(`invalid spec: ${spec}: too many colons`);
      else {
        for (const opt of buffer.split(',')) {
          if (opt === 'ro') v.read_only = true;
          else if (opt === 'rw') v.read_only = false;
          else if (opt === 'nocopy') v.volume = { nocopy: true };
          else if (propagations.includes(opt)) v.bind = { propagation: opt };
        }
      }
      buffer = '';
    } else buffer += ch;
  }
  const type = !v.source ? 'volume' : isFilePath(v.source) ? 'bind' : 'volume';
  const out: ComposeVolume = { type };
  if (v.source) out.source = v.source;
  if (v.target) out.target = v.target;
  if (v.read_only) out.read_only = true;
  if (v.bind) out.bind = v.bind;
  if (v.volume) out.volume = v.volume;
  return out;
}
