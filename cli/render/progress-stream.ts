// Reads the agent's NDJSON progress stream (pull, push, load): progress lines go to the renderer,
// the closing result line is returned, and an error line fails the command with that error.
import { createInterface } from 'node:readline';
import { FlotillaError, type ErrorBody } from '../../shared/errors/index.js';
import type { ProgressLine } from './progress.js';

/** Reads an NDJSON progress stream; returns the result document, throws the error line. */
export async function followProgress(
  stream: NodeJS.ReadableStream,
  onEvent: (e: ProgressLine) => void,
): Promise<unknown> {
  let result: unknown;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const doc = JSON.parse(line) as ProgressLine & { error?: ErrorBody; result?: unknown };
    if (doc.error) throw FlotillaError.fromJSON(doc.error);
    if (doc.result !== undefined) result = doc.result;
    else onEvent(doc);
  }
  return result;
}
