// The shapes the stack normaliser produces and works with: the normalised config of one stack
// file (what `docker stack config` prints) and the context every normalising step shares.
import type { Lookup } from './interpolate.js';
import type { Problems } from './problems.js';
import type { SourceFile } from './source.js';

export type Dict = Record<string, unknown>;

export interface ComposeConfig {
  file: string;
  version: string;
  services: Record<string, Dict>;
  networks: Record<string, Dict>;
  volumes: Record<string, Dict>;
  secrets: Record<string, Dict>;
  configs: Record<string, Dict>;
  extras: Dict;
}

export interface NormalizeContext {
  src: SourceFile;
  workingDir: string;
  lookup: Lookup;
  problems: Problems;
  warnings: string[];
}
