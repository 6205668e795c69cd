// The state of one start as it goes through its steps: what each step made (and how to undo it),
// which the later steps read. Built by the sequence, one per start.
import type { EarlyAttach } from '../attach/hub.js';
import type { ConmonStartResult } from '../conmon/conmon.js';
import type { ContainerRecord } from '../container/record.js';
import type { Runc } from '../runc/runc.js';

export interface StartRun {
  rec: ContainerRecord;
  /** A restart (policy or `restart`): the event is `restart`, not `start`. */
  restarting: boolean;
  /** <execRoot>/b/<id[:16]>: config.json and conmon's attach socket, ctl fifo and pid file. */
  bundle: string;
  /** <execRoot>/persist/<id[:16]>: where conmon keeps the exit code and the oom mark. */
  persist: string;
  /** Undo actions of the steps done so far; run newest first when a later step fails. */
  cleanup: (() => Promise<unknown>)[];
  /** Attachers that were waiting for this start, their bridges already starting. */
  early?: EarlyAttach;
  /** The network namespace to join (bridge networks); none = a fresh one or the host's. */
  netnsPath?: string;
  hostNetwork: boolean;
  /** The OCI runtime that runs this container (set by the create step). */
  runtime?: Runc;
  /** conmon's answer once `runc create` succeeded: the container's pid and conmon's. */
  started?: ConmonStartResult;
}

/** One phase of a start; its name is the key in the `container start phases` debug log. */
export interface StartStep {
  phase: string;
  run(r: StartRun): Promise<void>;
}
