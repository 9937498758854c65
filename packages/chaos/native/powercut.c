/*
 * powercut.so: a TEST-ONLY LD_PRELOAD shim for the chaos suite's power cut
 * (packages/chaos/src/harness/power-cut.ts). It changes nothing a process
 * does; it journals, for files under SHOAL_POWERCUT_ROOT, what a power cut
 * could not take away:
 *
 *   C\t0\t<path>          file created or truncated to empty (not yet durable)
 *   S\t<bytes>\t<path>    fsync/fdatasync: the first <bytes> bytes are durable
 *   F\t<bytes>\t<path>    ftruncate/truncate to <bytes>
 *   R\t0\t<from>\t<to>    rename (treated as durable at once)
 *   U\t0\t<path>          unlink (treated as durable at once)
 *
 * one line per event, appended to SHOAL_POWERCUT_JOURNAL with one write()
 * on an O_APPEND descriptor (atomic for lines this short, so threads and
 * successive processes can share the file). Paths are canonical (the
 * parent directory resolved with realpath, or /proc/self/fd for fsync).
 *
 * The harness simulates the cut after SIGKILL: every journaled file that
 * was never synced since its creation is removed, every other one is
 * truncated to its last synced size. Model limits (docs/chaos.md): renames,
 * unlinks and directory entries are durable at once; no torn or reordered
 * sectors inside the synced prefix; overwrites inside the synced prefix
 * are kept. LevelDB only appends and renames, so this covers what it does.
 *
 * Hooked: open/open64/openat/openat64/creat/creat64, fopen/fopen64 (LevelDB
 * 1.20, bundled by classic-level, writes through stdio), fsync, fdatasync,
 * rename/renameat, unlink/unlinkat, ftruncate/ftruncate64/truncate.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static char root[PATH_MAX];
static size_t root_len;
static int journal_fd = -2; /* -2: not initialised, -1: disabled */

static void init(void) {
  if (journal_fd != -2) return;
  const char *r = getenv("SHOAL_POWERCUT_ROOT");
  const char *j = getenv("SHOAL_POWERCUT_JOURNAL");
  journal_fd = -1;
  if (!r || !j || !realpath(r, root)) return;
  root_len = strlen(root);
  int (*real_open)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
  journal_fd = real_open(j, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static int under_root(const char *path) {
  return journal_fd >= 0 && strncmp(path, root, root_len) == 0 && (path[root_len] == '/' || path[root_len] == '\0');
}

/* Canonical absolute path of `path` (relative to dirfd): realpath of its parent + its last component. */
static int canon_at(int dirfd, const char *path, char *out) {
  char full[PATH_MAX], parent[PATH_MAX];
  if (path[0] == '/') {
    snprintf(full, sizeof full, "%s", path);
  } else {
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
      if (!getcwd(base, sizeof base)) return -1;
    } else {
      char link[64];
      snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
      ssize_t n = readlink(link, base, sizeof base - 1);
      if (n < 0) return -1;
      base[n] = '\0';
    }
    snprintf(full, sizeof full, "%s/%s", base, path);
  }
  char *slash = strrchr(full, '/');
  if (!slash) return -1;
  *slash = '\0';
  if (!realpath(full[0] ? full : "/", parent)) return -1;
  snprintf(out, PATH_MAX, "%s/%s", parent, slash + 1);
  return 0;
}

static int fd_path(int fd, char *out) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, PATH_MAX - 1);
  if (n < 0) return -1;
  out[n] = '\0';
  return 0;
}

static void journal(char op, long long bytes, const char *path, const char *path2) {
  char line[2 * PATH_MAX + 64];
  int n = path2 ? snprintf(line, sizeof line, "%c\t%lld\t%s\t%s\n", op, bytes, path, path2)
                : snprintf(line, sizeof line, "%c\t%lld\t%s\n", op, bytes, path);
  if (n > 0 && n < (int)sizeof line) {
    ssize_t w = write(journal_fd, line, (size_t)n);
    (void)w;
  }
}

/* After an open that may have created or truncated `path`: journal C if it did. */
static void opened(int dirfd, const char *path, int flags, int existed) {
  if (journal_fd < 0 || !(flags & (O_CREAT | O_TRUNC))) return;
  char c[PATH_MAX];
  if (canon_at(dirfd, path, c) != 0 || !under_root(c)) return;
  if (!existed || (flags & O_TRUNC)) journal('C', 0, c, NULL);
}

static int exists_at(int dirfd, const char *path) {
  return faccessat(dirfd, path, F_OK, 0) == 0;
}

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

static int do_openat(const char *sym, int dirfd, const char *path, int flags, mode_t mode) {
  init();
  int existed = (flags & (O_CREAT | O_TRUNC)) ? exists_at(dirfd, path) : 1;
  int fd;
  if (strcmp(sym, "open") == 0 || strcmp(sym, "open64") == 0) {
    int (*f)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, sym);
    fd = f(path, flags, mode);
  } else {
    int (*f)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, sym);
    fd = f(dirfd, path, flags, mode);
  }
  if (fd >= 0) {
    int saved = errno;
    opened(dirfd, path, flags, existed);
    errno = saved;
  }
  return fd;
}

static mode_t mode_arg(int flags, va_list ap) {
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t m = mode_arg(flags, ap); va_end(ap);
  return do_openat("open", AT_FDCWD, path, flags, m);
}
int open64(const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t m = mode_arg(flags, ap); va_end(ap);
  return do_openat("open64", AT_FDCWD, path, flags, m);
}
int openat(int dirfd, const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t m = mode_arg(flags, ap); va_end(ap);
  return do_openat("openat", dirfd, path, flags, m);
}
int openat64(int dirfd, const char *path, int flags, ...) {
  va_list ap; va_start(ap, flags); mode_t m = mode_arg(flags, ap); va_end(ap);
  return do_openat("openat64", dirfd, path, flags, m);
}
int creat(const char *path, mode_t mode) { return do_openat("open", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }
int creat64(const char *path, mode_t mode) { return do_openat("open64", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode); }

static FILE *do_fopen(const char *sym, const char *path, const char *mode) {
  init();
  int creates = strchr(mode, 'w') != NULL || strchr(mode, 'a') != NULL;
  int existed = creates ? exists_at(AT_FDCWD, path) : 1;
  FILE *(*f)(const char *, const char *) = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, sym);
  FILE *file = f(path, mode);
  if (file && creates) {
    int saved = errno;
    opened(AT_FDCWD, path, strchr(mode, 'w') ? O_CREAT | O_TRUNC : O_CREAT, existed);
    errno = saved;
  }
  return file;
}
FILE *fopen(const char *path, const char *mode) { return do_fopen("fopen", path, mode); }
FILE *fopen64(const char *path, const char *mode) { return do_fopen("fopen64", path, mode); }

static void synced(int fd) {
  char p[PATH_MAX];
  struct stat st;
  if (journal_fd < 0 || fd_path(fd, p) != 0 || !under_root(p) || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  journal('S', (long long)st.st_size, p, NULL);
}

int fsync(int fd) {
  init();
  REAL(fsync);
  int rc = real_fsync(fd);
  if (rc == 0) { int saved = errno; synced(fd); errno = saved; }
  return rc;
}
int fdatasync(int fd) {
  init();
  REAL(fdatasync);
  int rc = real_fdatasync(fd);
  if (rc == 0) { int saved = errno; synced(fd); errno = saved; }
  return rc;
}

static void truncated_fd(int fd, off_t len) {
  char p[PATH_MAX];
  if (journal_fd >= 0 && fd_path(fd, p) == 0 && under_root(p)) journal('F', (long long)len, p, NULL);
}
int ftruncate(int fd, off_t len) {
  init();
  REAL(ftruncate);
  int rc = real_ftruncate(fd, len);
  if (rc == 0) { int saved = errno; truncated_fd(fd, len); errno = saved; }
  return rc;
}
int ftruncate64(int fd, off_t len) {
  init();
  REAL(ftruncate64);
  int rc = real_ftruncate64(fd, len);
  if (rc == 0) { int saved = errno; truncated_fd(fd, len); errno = saved; }
  return rc;
}
int truncate(const char *path, off_t len) {
  init();
  REAL(truncate);
  int rc = real_truncate(path, len);
  char c[PATH_MAX];
  if (rc == 0 && journal_fd >= 0 && canon_at(AT_FDCWD, path, c) == 0 && under_root(c)) { int saved = errno; journal('F', (long long)len, c, NULL); errno = saved; }
  return rc;
}

static void renamed(int olddir, const char *from, int newdir, const char *to) {
  char a[PATH_MAX], b[PATH_MAX];
  if (journal_fd < 0 || canon_at(olddir, from, a) != 0 || canon_at(newdir, to, b) != 0) return;
  if (under_root(a) || under_root(b)) journal('R', 0, a, b);
}
int rename(const char *from, const char *to) {
  init();
  REAL(rename);
  char a[PATH_MAX], b[PATH_MAX];
  /* Canonicalise before: the source no longer exists after the call (its parent does). */
  int ok = journal_fd >= 0 && canon_at(AT_FDCWD, from, a) == 0 && canon_at(AT_FDCWD, to, b) == 0;
  int rc = real_rename(from, to);
  if (rc == 0 && ok && (under_root(a) || under_root(b))) { int saved = errno; journal('R', 0, a, b); errno = saved; }
  return rc;
}
int renameat(int olddir, const char *from, int newdir, const char *to) {
  init();
  REAL(renameat);
  int rc = real_renameat(olddir, from, newdir, to);
  if (rc == 0) { int saved = errno; renamed(olddir, from, newdir, to); errno = saved; }
  return rc;
}

static void unlinked(int dirfd, const char *path) {
  char c[PATH_MAX];
  if (journal_fd >= 0 && canon_at(dirfd, path, c) == 0 && under_root(c)) journal('U', 0, c, NULL);
}
int unlink(const char *path) {
  init();
  REAL(unlink);
  int rc = real_unlink(path);
  if (rc == 0) { int saved = errno; unlinked(AT_FDCWD, path); errno = saved; }
  return rc;
}
int unlinkat(int dirfd, const char *path, int flags) {
  init();
  REAL(unlinkat);
  int rc = real_unlinkat(dirfd, path, flags);
  if (rc == 0 && !(flags & AT_REMOVEDIR)) { int saved = errno; unlinked(dirfd, path); errno = saved; }
  return rc;
}
