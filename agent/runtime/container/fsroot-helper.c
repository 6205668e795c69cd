/*
 * flotilla-fsroot: resolves paths inside a container's roots for `cp`, in the kernel, so that no
 * symlink a running container swaps in can lead the agent out of them (CVE-2018-15664's class).
 * The agent reaches each answer as /proc/<this pid>/fd/<n>, a magic link to the object itself.
 * One request per line on stdin, paths hex encoded; one answer line each ("<n>" or "E <errno>"):
 *   O <hexhostpath>            open a root (a directory, or a mounted file; a host path the
 *                              agent chose) -> fd
 *   R <rootfd> <follow> <hexrel> openat2(rootfd, rel, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) -> fd
 *   L <fd>                     the symlink's target -> hex
 *   X <dirfd> <hexname>        removes name under dirfd, a directory recursively, never
 *                              following a link -> 0
 *   C <fd>                     closes fd (no answer)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char line[3 * 4096 + 64];
static char path[4096 + 1];

static int unhex(const char *s, char *out, size_t cap) {
  size_t n = strlen(s);
  if (n % 2 || n / 2 >= cap) return -1;
  for (size_t i = 0; i < n; i += 2) {
    unsigned v;
    if (sscanf(s + i, "%2x", &v) != 1) return -1;
    out[i / 2] = (char)v;
  }
  out[n / 2] = 0;
  return (int)(n / 2);
}

static void answer_fd(int fd) {
  if (fd < 0) printf("E %d\n", errno);
  else printf("%d\n", fd);
  fflush(stdout);
}

/* Removes name inside dir: directories by their fds, depth first; links are never followed. */
static int remove_at(int dir, const char *name, int depth) {
  if (unlinkat(dir, name, 0) == 0) return 0;
  if (errno != EISDIR && errno != EPERM) return -1;
  if (depth > 4096) return errno = ELOOP, -1;
  int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  DIR *d = fdopendir(fd);
  if (!d) return close(fd), -1;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && remove_at(fd, e->d_name, depth + 1))
      rc = -1;
  closedir(d);
  if (rc) return -1;
  return unlinkat(dir, name, AT_REMOVEDIR);
}

int main(void) {
  /* A deep tree walk keeps one handle per level and per entry in flight. */
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    char op = line[0];
    char *args = line[0] ? line + 1 : line;
    if (op == 'O') {
      if (unhex(args + 1, path, sizeof path) < 0) { errno = EINVAL; answer_fd(-1); continue; }
      answer_fd(open(path, O_PATH | O_CLOEXEC));
    } else if (op == 'R') {
      int root, follow, n = 0;
      if (sscanf(args, " %d %d %n", &root, &follow, &n) < 2 || unhex(args + n, path, sizeof path) < 0) {
        errno = EINVAL;
        answer_fd(-1);
        continue;
      }
      if (path[0] == 0) { answer_fd(fcntl(root, F_DUPFD_CLOEXEC, 0)); continue; }
      struct open_how how = {
          .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
      };
      /* EAGAIN: a rename anywhere raced a ".." step; the kernel asks to retry (bounded, so a
       * container renaming in a loop fails its own copy, nothing more). */
      long fd = -1;
      for (int i = 0; i < 128; i++) {
        fd = syscall(SYS_openat2, root, path, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) break;
      }
      answer_fd((int)fd);
    } else if (op == 'L') {
      int fd = atoi(args);
      ssize_t n = readlinkat(fd, "", path, sizeof path - 1);
      if (n < 0) { answer_fd(-1); continue; }
      for (ssize_t i = 0; i < n; i++) printf("%02x", (unsigned char)path[i]);
      printf("\n");
      fflush(stdout);
    } else if (op == 'X') {
      int dir, n = 0;
      if (sscanf(args, " %d %n", &dir, &n) < 1 || unhex(args + n, path, sizeof path) <= 0 ||
          strchr(path, '/') || !strcmp(path, ".") || !strcmp(path, "..")) {
        errno = EINVAL;
        answer_fd(-1);
        continue;
      }
      /* O_PATH fds cannot be written through: reopen the directory itself. */
      int w = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (w < 0) { answer_fd(-1); continue; }
      int rc = remove_at(w, path, 0);
      int saved = errno;
      close(w);
      errno = saved;
      answer_fd(rc == 0 ? 0 : -1);
    } else if (op == 'C') {
      close(atoi(args));
    } else {
      errno = EINVAL;
      answer_fd(-1);
    }
  }
  return 0;
}
