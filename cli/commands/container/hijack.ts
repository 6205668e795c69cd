// Client side of the agent's hijacked attach/exec connections: upgrades the HTTP request, then
// demultiplexes Docker-framed output and forwards stdin (raw mode and detach keys on a terminal).
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { FlotillaError, type ErrorBody } from '../../../shared/errors/index.js';
import type { AgentClient } from '../../clients/agent-client.js';

export interface Hijacked {
  socket: Socket;
  /** The exec's id (X-Flotilla-Exec-Id), for POST /exec/:id/resize. */
  execId?: string;
}

export function hijack(
  agent: AgentClient,
  path: string,
  query: Record<string, string>,
): Promise<Hijacked> {
  const qs = new URLSearchParams(query).toString();
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: agent.socketPath,
      path: `${path}?${qs}`,
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    req.on('upgrade', (res, socket, head) => {
      if (head.length) socket.unshift(head);
      const execId = res.headers['x-flotilla-exec-id'];
      resolve({ socket, execId: typeof execId === 'string' ? execId : undefined });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          reject(FlotillaError.fromJSON(JSON.parse(Buffer.concat(chunks).toString()) as ErrorBody));
        } catch {
          reject(new FlotillaError('INTERNAL', { detail: `attach answered ${res.statusCode}` }));
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new FlotillaError(
          'AGENT_UNREACHABLE',
          { address: `unix://${agent.socketPath}`, reason: err.code ?? err.message },
          { cause: err },
        ),
      ),
    );
    req.end();
  });
}

export interface StreamResult {
  /** Exit code sent by the agent (exec), if any. */
  exitCode?: number;
  error?: FlotillaError;
  detached: boolean;
}

/** Pumps a hijacked socket until it closes or the user presses the detach keys. */
export function pump(
  socket: Socket,
  o: {
    stdin: boolean;
    tty: boolean;
    out: NodeJS.WritableStream;
    err: NodeJS.WritableStream;
    onResize?: () => void;
  },
): Promise<StreamResult> {
  return new Promise((resolve) => {
    const result: StreamResult = { detached: false };
    let buf = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 8) {
        const len = buf.readUInt32BE(4);
        if (buf.length < 8 + len) break;
        const type = buf[0];
        const data = buf.subarray(8, 8 + len);
        buf = buf.subarray(8 + len);
        if (type === 1) o.out.write(data);
        else if (type === 2) o.err.write(data);
        else if (type === 4) result.exitCode = Number(data.toString());
        else if (type === 3) {
          try {
            result.error = FlotillaError.fromJSON(JSON.parse(data.toString()) as ErrorBody);
          } catch {
            o.err.write(data);
          }
        }
      }
    });
    const stdin = process.stdin;
    const raw = o.tty && o.stdin && stdin.isTTY;
    let prev = -1;
    const onData = (d: Buffer) => {
      if (raw) {
        // Detach keys: ctrl-p ctrl-q, as in Docker.
        for (const b of d) {
          if (prev === 0x10 && b === 0x11) {
            result.detached = true;
            finish();
            return;
          }
          prev = b;
        }
      }
      socket.write(d);
    };
    const onEnd = () => socket.end();
    const finish = () => {
      if (o.stdin) {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        if (raw) stdin.setRawMode(false);
        stdin.pause();
      }
      if (o.onResize) process.stdout.off('resize', o.onResize);
      socket.destroy();
      resolve(result);
    };
    if (o.stdin) {
      if (raw) stdin.setRawMode(true);
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
    }
    if (o.onResize) process.stdout.on('resize', o.onResize);
    socket.on('close', finish);
    socket.on('error', finish);
  });
}
