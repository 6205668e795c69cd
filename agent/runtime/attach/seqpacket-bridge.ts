// Bridges conmon's SOCK_SEQPACKET attach socket to Node, which cannot open SEQPACKET sockets.
// The helper is a short python3 program (python3 is a listed dependency): it connects, then
// frames every packet as [stream byte][u32 length][data] on its stdout, and copies its stdin to
// the socket, half-closing the socket on EOF when asked (conmon then closes the container's stdin).
import { spawn, type ChildProcess } from 'node:child_process';
import { pythonBinary, pythonFlags } from '../helpers/python.js';

const helper = `
import os,socket,sys,select,struct
import time
out=sys.stdout.buffer
deadline=time.time()+float(sys.argv[3])
while True:
  s=socket.socket(socket.AF_UNIX,socket.SOCK_SEQPACKET)
  try:
    s.connect(sys.argv[1]); break
  except (FileNotFoundError,ConnectionRefusedError) as e:
    s.close()
    if time.time()>=deadline: sys.stderr.write(str(e)); sys.exit(2)
    time.sleep(0.002)
  except OSError as e:
    sys.stderr.write(str(e)); sys.exit(2)
out.write(struct.pack('>BI',0,0)); out.flush()
stdin_open=sys.argv[2]!='none'
while True:
  r,_,_=select.select(([0] if stdin_open else [])+[s],[],[])
  if s in r:
    d=s.recv(65536)
    if not d: break
    out.write(struct.pack('>BI',d[0],len(d)-1)+d[1:]); out.flush()
  if stdin_open and 0 in r:
    d=os.read(0,8192)
    if not d:
      stdin_open=False
      if sys.argv[2]=='eof': s.shutdown(socket.SHUT_WR)
    else: s.sendall(d)
`;

export interface BridgeHandlers {
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
}

export interface Bridge {
  /** Resolves once the helper is connected to the socket. */
  ready: Promise<void>;
  /** Resolves when the socket closes (the container's stdio is gone) or the bridge is closed. */
  done: Promise<void>;
  write(data: Buffer): void;
  /** Ends stdin: with stdinMode 'eof' conmon then closes the container's stdin. */
  endStdin(): void;
  close(): void;
}

/**
 * stdinMode: 'none' = output only, 'eof' = stdin whose end closes the container's stdin,
 * 'keep' = stdin whose end leaves the container's stdin open (terminals, detach).
 */
export function openBridge(
  socketPath: string,
  stdinMode: 'none' | 'eof' | 'keep',
  h: BridgeHandlers,
  readyTimeoutMs = 20_000,
  /** How long to wait for the socket to appear (a bridge opened while conmon starts). */
  waitForSocketMs = 0,
): Bridge {
  const child: ChildProcess = spawn(
    pythonBinary(),
    [...pythonFlags, '-c', helper, socketPath, stdinMode, String(waitForSocketMs / 1000)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let buf = Buffer.alloc(0);
  let readyResolve!: () => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  ready.catch(() => undefined);
  const errText: Buffer[] = [];
  child.stderr!.on('data', (c: Buffer) => errText.push(c));
  child.stdout!.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const type = buf[0];
      const data = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      if (type === 0) readyResolve();
      else if (type === 3) h.onStderr(data);
      else h.onStdout(data);
    }
  });
  child.stdin!.on('error', () => undefined);
  const done = new Promise<void>((resolve) =>
    child.on('close', () => {
      readyReject(new Error(Buffer.concat(errText).toString() || 'attach helper exited'));
      resolve();
    }),
  );
  child.on('error', (err) => readyReject(err));
  // A helper that never connects (socket gone, conmon not accepting) must not hold up the caller:
  // `start` waits for pending attachers under the container's lock.
  const readyTimer = setTimeout(() => {
    readyReject(
      new Error(`attach socket ${socketPath} did not accept within ${readyTimeoutMs} ms`),
    );
    if (child.exitCode === null) child.kill('SIGKILL');
  }, readyTimeoutMs);
  readyTimer.unref();
  void ready.then(
    () => clearTimeout(readyTimer),
    () => clearTimeout(readyTimer),
  );
  return {
    ready,
    done,
    write: (d) => {
      if (!child.stdin!.destroyed) child.stdin!.write(d);
    },
    endStdin: () => child.stdin!.end(),
    close: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
