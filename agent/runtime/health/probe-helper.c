// flotilla-probe: runs a container's health checks from inside the container, so a check costs a
// fork and an exec instead of a `runc exec` (two Go start-ups, namespace joins, seccomp compile).
// Built static by scripts/build-native.mjs (the container may have no libc). Modes:
//   hold   (host)      put a copy of this binary in a sealed memfd on fd 3, print "ready", wait for
//                      EOF on stdin. The agent opens /proc/<pid>/fd/3 and hands it to `runc exec`.
//   serve  (container) started by `runc exec -d --preserve-fds 1 ID /proc/self/fd/3 serve`, so it
//                      already has the container's namespaces, cgroup, user, env, capabilities,
//                      no_new_privs and seccomp. Per request on stdin it forks, execs the check in a
//                      new session with its output on a pipe, kills the session at the timeout, and
//                      answers on stdout. EOF on stdin (the agent went away) ends it.
// Request:  u32 timeoutMs, u32 n, then n bytes of NUL-terminated arguments (little endian).
// Answer:   i32 status (exit code, 128+signal, -1 when the timeout killed it), u32 n, n bytes
//           of output (the first 4096 bytes of stdout and stderr together, as Docker keeps).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUTPUT_MAX 4096
#define ARGS_MAX (1 << 20)

static int read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int write_full(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The sealed copy: a container that reaches /proc/<pid>/exe of a probe cannot write to it. */
static int hold(const char *self) {
  int mfd = (int)syscall(SYS_memfd_create, "flotilla-probe", MFD_ALLOW_SEALING);
  int src = open(self, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (mfd < 0 || src < 0 || fstat(src, &st) < 0) return perror("flotilla-probe hold"), 1;
  for (off_t off = 0; off < st.st_size;)
    if (sendfile(mfd, src, &off, (size_t)(st.st_size - off)) <= 0)
      return perror("flotilla-probe hold: copy"), 1;
  if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return perror("flotilla-probe hold: seal"), 1;
  if (mfd != 3 && (dup2(mfd, 3) < 0 || close(mfd) < 0)) return perror("flotilla-probe hold"), 1;
  close(src);
  if (write_full(1, "ready\n", 6) < 0) return 1;
  char c;
  while (read(0, &c, 1) > 0 || errno == EINTR) {
  }
  return 0;
}

/* Runs one check; fills out/outlen and returns the status word of the answer. */
static int32_t run_check(char **argv, uint32_t timeout_ms, char *out, uint32_t *outlen) {
  int pipefd[2], nullfd[2];
  *outlen = 0;
  if (pipe2(pipefd, O_CLOEXEC) < 0 || pipe2(nullfd, O_CLOEXEC) < 0) return 127;
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    signal(SIGPIPE, SIG_DFL);
    close(nullfd[1]); /* stdin: a pipe at EOF, as a `docker exec` without -i */
    dup2(nullfd[0], 0);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    execvp(argv[0], argv);
    int code = errno == ENOENT ? 127 : errno == EACCES ? 126 : 127;
    dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(code);
  }
  close(pipefd[1]);
  close(nullfd[0]);
  close(nullfd[1]);
  if (pid < 0) {
    close(pipefd[0]);
    return 127;
  }
  /* Without pidfds (Linux < 5.3) the exit is noticed at the pipe's EOF instead. */
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  long long deadline = now_ms() + timeout_ms;
  int timed_out = 0, eof = 0, st = 0;
  char sink[4096];
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0 && !timed_out) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      timed_out = 1;
    }
    struct pollfd fds[2];
    int nf = 0, ip = -1, ie = -1;
    if (!eof) fds[ip = nf++] = (struct pollfd){pipefd[0], POLLIN, 0};
    if (pidfd >= 0) fds[ie = nf++] = (struct pollfd){pidfd, POLLIN, 0};
    if (nf == 0) break; /* EOF and no pidfd: wait below */
    int n = poll(fds, (nfds_t)nf, timed_out ? -1 : (int)left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (ip >= 0 && fds[ip].revents) {
      size_t room = OUTPUT_MAX - *outlen;
      ssize_t r = read(pipefd[0], room ? out + *outlen : sink, room ? room : sizeof sink);
      if (r > 0 && room) *outlen += (uint32_t)r;
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) eof = 1;
    }
    if (ie >= 0 && (fds[ie].revents & POLLIN)) break;
  }
  waitpid(pid, &st, 0);
  /* A background child may hold the pipe open: take what is there now and stop. */
  fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
  while (!eof) {
    size_t room = OUTPUT_MAX - *outlen;
    ssize_t r = read(pipefd[0], room ? out + *outlen : sink, room ? room : sizeof sink);
    if (r <= 0) break;
    if (room) *outlen += (uint32_t)r;
  }
  close(pipefd[0]);
  if (pidfd >= 0) close(pidfd);
  if (timed_out) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int serve(void) {
  close(3); /* the memfd runc exec'd us from: our children need not see it */
  prctl(PR_SET_NAME, "flotilla-probe");
  signal(SIGPIPE, SIG_IGN);
  static char out[OUTPUT_MAX];
  for (;;) {
    uint32_t head[2];
    if (read_full(0, head, sizeof head) < 0) return 0;
    if (head[1] == 0 || head[1] > ARGS_MAX) return 2;
    char *buf = malloc(head[1]);
    if (!buf || read_full(0, buf, head[1]) < 0 || buf[head[1] - 1] != '\0') return 2;
    size_t argc = 0;
    for (uint32_t i = 0; i < head[1]; i++) argc += buf[i] == '\0';
    char **argv = calloc(argc + 1, sizeof *argv);
    if (!argv) return 2;
    char *p = buf;
    for (size_t i = 0; i < argc; i++, p += strlen(p) + 1) argv[i] = p;
    uint32_t outlen;
    int32_t status = run_check(argv, head[0], out, &outlen);
    free(argv);
    free(buf);
    uint32_t answer[2] = {(uint32_t)status, outlen};
    if (write_full(1, answer, sizeof answer) < 0 || write_full(1, out, outlen) < 0) return 0;
  }
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "hold") == 0) return hold("/proc/self/exe");
  if (argc >= 2 && strcmp(argv[1], "serve") == 0) return serve();
  fprintf(stderr, "usage: flotilla-probe hold|serve\n");
  return 2;
}
