// Docker's exec instances: created by POST /containers/{id}/exec, run by POST /exec/{id}/start,
// read by GET /exec/{id}/json. Kept in memory (as Docker's daemon does), bounded.
import { randomBytes } from 'node:crypto';
import { FlotillaError } from '../../../shared/errors/index.js';
import type { ExecOptions } from '../../runtime/index.js';

export interface ExecInstance {
  id: string;
  containerId: string;
  spec: ExecOptions;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  started: boolean;
  running: boolean;
  exitCode: number | null;
}

/** Finished instances beyond this many are forgotten, oldest first. */
const maxInstances = 1000;

export class ExecStore {
  private readonly instances = new Map<string, ExecInstance>();

  add(
    containerId: string,
    spec: ExecOptions,
    attach: { stdin: boolean; stdout: boolean; stderr: boolean },
  ): ExecInstance {
    const inst: ExecInstance = {
      id: randomBytes(32).toString('hex'),
      containerId,
      spec,
      attachStdin: attach.stdin,
      attachStdout: attach.stdout,
      attachStderr: attach.stderr,
      started: false,
      running: false,
      exitCode: null,
    };
    this.instances.set(inst.id, inst);
    if (this.instances.size > maxInstances)
      for (const [id, old] of this.instances) {
        if (this.instances.size <= maxInstances) break;
        if (!old.running) this.instances.delete(id);
      }
    return inst;
  }

  get(id: string): ExecInstance {
    const inst = this.instances.get(id);
    if (!inst) throw new FlotillaError('EXEC_NOT_FOUND', { id });
    return inst;
  }

  /** Docker's ExecInspect document. */
  inspect(id: string): Record<string, unknown> {
    const e = this.get(id);
    return {
      ID: e.id,
      ContainerID: e.containerId,
      Running: e.running,
      ExitCode: e.exitCode,
      OpenStdin: e.attachStdin,
      OpenStdout: e.attachStdout,
      OpenStderr: e.attachStderr,
      CanRemove: false,
      DetachKeys: '',
      Pid: 0,
      ProcessConfig: {
        tty: Boolean(e.spec.tty),
        entrypoint: e.spec.cmd[0],
        arguments: e.spec.cmd.slice(1),
        privileged: Boolean(e.spec.privileged),
        user: e.spec.user ?? '',
      },
    };
  }
}
