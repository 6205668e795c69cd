// `runc exec --tty` in the foreground needs a terminal of its own: it reads the window size from
// its controlling terminal (/dev/tty), which an agent running as a daemon does not have ("open
// /dev/tty: no such device or address"). This helper (python3, already a dependency; Node cannot
// open a pty) runs runc on a fresh pty with the client's window size, and copies bytes between
// the pty and its own pipes. It exits with runc's exit code (128+N for a signal).
//
// Live resize: the agent writes "ROWS COLS\n" lines to the helper's fd 3. The helper sets that
// size on the pty, the kernel sends SIGWINCH to runc (the pty's foreground process), and runc
// copies the new size to the container's console, as it does for a resized terminal of its own.
export const ptyHelperScript = `
import os, pty, sys, select, fcntl, termios, struct
rows, cols = int(sys.argv[1]), int(sys.argv[2])
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    if rows > 0 and cols > 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(argv[0], argv)
inp, out, ctl = sys.stdin.fileno(), sys.stdout.fileno(), 3
watch = [fd, inp, ctl]
pending = b''
while True:
    r, _, _ = select.select(watch, [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(out, data)
    if inp in r:
        data = os.read(inp, 65536)
        if data:
            os.write(fd, data)
        else:
            watch.remove(inp)
    if ctl in r:
        data = os.read(ctl, 4096)
        if not data:
            watch.remove(ctl)
        pending += data
        while b'\\n' in pending:
            line, pending = pending.split(b'\\n', 1)
            try:
                h, w = (int(x) for x in line.split())
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', h, w, 0, 0))
            except (ValueError, OSError):
                pass
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
`;
