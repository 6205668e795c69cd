// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests that check
// /metrics with a parser rather than a grep: every line must be a comment (# HELP, # TYPE), blank,
// or a sample `name{label="value",...} value [timestamp]`; anything else throws, naming the line.
import { get } from 'node:http';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  /** Metric family name → its TYPE (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
  samples: Sample[];
}

const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelRe = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/;
const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): ParsedMetrics {
  const out: ParsedMetrics = { types: new Map(), samples: [] };
  text.split('\n').forEach((line, i) => {
    const fail = (why: string) => {
      throw new Error(`metrics line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
      if (!m) return; // other comments are allowed
      if (m[1] === 'TYPE') {
        if (!types.has(m[3])) fail(`unknown type ${m[3]}`);
        if (out.types.has(m[2])) fail('a second TYPE line for the family');
        out.types.set(m[2], m[3]);
      }
      return;
    }
    const name = nameRe.exec(line)?.[0];
    if (!name) fail('no metric name');
    let rest = line.slice(name!.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      while (!rest.startsWith('}')) {
        const m = labelRe.exec(rest);
        if (!m) fail('bad label');
        labels[m![1]] = m![2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
        rest = rest.slice(m![0].length);
        if (rest.startsWith(',')) rest = rest.slice(1);
        else if (!rest.startsWith('}')) fail('expected , or } after a label');
      }
      rest = rest.slice(1);
    }
    const m = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
    if (!m) fail('expected " value [timestamp]"');
    // Values are read as Prometheus reads them (Go's ParseFloat): NaN and Inf in any case.
    const v = m![1].toLowerCase();
    const value = /^[+]?inf$/.test(v)
      ? Infinity
      : v === '-inf'
        ? -Infinity
        : v === 'nan'
          ? NaN
          : Number(v);
    if (Number.isNaN(value) && v !== 'nan') fail(`bad value ${m![1]}`);
    out.samples.push({ name: name!, labels, value });
  });
  return out;
}

/** The value of the one sample with this name whose labels include `labels` (0 when none). */
export function sampleValue(
  m: ParsedMetrics,
  name: string,
  labels: Record<string, string> = {},
): number {
  const hits = m.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hits.reduce((sum, s) => sum + s.value, 0);
}

/** GET http://ADDR/metrics, parsed (rejects when the text does not parse). */
export function scrapeMetrics(addr: string): Promise<ParsedMetrics> {
  return new Promise((resolve, reject) => {
    get(`http://${addr}/metrics`, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          if (!String(res.headers['content-type']).startsWith('text/plain'))
            throw new Error(`metrics served as ${res.headers['content-type']}`);
          resolve(parsePrometheusText(body));
        } catch (err) {
          reject(err);
        }
      });
    }).on('error', reject);
  });
}
