// Shared helpers for end-to-end tests: running scripts and probes (also inside the simulated
// machines' network namespaces) and checking that a test left nothing behind on the host.
export { httpGet, run, runInNetns, tail } from './exec.js';
export { answered, getFn } from './probe.js';
export type { RunOptions, RunResult } from './exec.js';
export {
  commandLine,
  leftovers,
  netnsProcesses,
  snapshotHost,
  stillRunning,
} from './host-state.js';
export type { HostSnapshot } from './host-state.js';
