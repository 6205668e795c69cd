#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof) as text: the functions with the most self time,
// and the share of the profile that was idle, garbage collection or in the program. For the
// benchmarks' READMEs (flame graph summaries).
//   node bench/profile-top.mjs agent.cpuprofile [N=15]
/* global process, console */
import { readFileSync } from 'node:fs';

const [file, n = '15'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-top.mjs FILE.cpuprofile [N]\n');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + dt);
}
const totals = new Map();
let all = 0;
for (const [id, us] of selfUs) {
  const f = byId.get(id).callFrame;
  const file = f.url ? f.url.replace(/^.*\/(dist|node_modules)\//, '$1/') : '';
  const key = `${f.functionName || '(anonymous)'} ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  totals.set(key, (totals.get(key) ?? 0) + us);
  all += us;
}
const pct = (us) => `${((100 * us) / all).toFixed(1)}%`;
const special = (name) =>
  [...totals].filter(([k]) => k.startsWith(name)).reduce((a, [, v]) => a + v, 0);
const idle = special('(idle)');
console.log(
  `${file}: ${(all / 1e6).toFixed(1)} s sampled, idle ${pct(idle)}, GC ${pct(special('(garbage collector)'))}, busy ${((all - idle) / 1e6).toFixed(1)} s`,
);
for (const [k, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${pct(us).padStart(6)} ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
