/* Reading and writing cgroup files, with errors that name the config field. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

int cg_write(const char *dir, const char *file, const char *value, const char *field, herr_t *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && field && access(dir, F_OK) == 0)
      return herr_set(err, 0, "%s: not supported by this kernel (%s does not exist)", field, file);
    if (field)
      return herr_sys(err, "%s: open %s", field, path);
    return herr_sys(err, "open %s", path);
  }
  size_t len = strlen(value);
  ssize_t n;
  do {
    n = write(fd, value, len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (field)
      return herr_sys(err, "%s: write \"%s\" to %s", field, value, file);
    return herr_sys(err, "write \"%s\" to %s", value, path);
  }
  return 0;
}

int cg_writef(const char *dir, const char *file, const char *field, herr_t *err, const char *fmt,
              ...)
{
  va_list ap;
  char *v;
  va_start(ap, fmt);
  if (vasprintf(&v, fmt, ap) < 0)
    abort();
  va_end(ap);
  int r = cg_write(dir, file, v, field, err);
  free(v);
  return r;
}

bool cg_file_exists(const char *dir, const char *file)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
  return access(path, F_OK) == 0;
}

int cg_read(const char *dir, const char *file, char **out, herr_t *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
  return read_file_at(AT_FDCWD, path, out, NULL, err);
}

int cg_read_int(const char *dir, const char *file, int64_t *out, herr_t *err)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read(dir, file, &s, err) < 0)
    return -1;
  if (strncmp(s, "max", 3) == 0) {
    *out = -1;
    return 0;
  }
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s)
    return herr_set(err, 0, "%s/%s: expected a number, got \"%.20s\"", dir, file, s);
  *out = v;
  return 0;
}

int cg_read_keyed(const char *dir, const char *file, const char *key, int64_t *out, herr_t *err)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read(dir, file, &s, err) < 0)
    return -1;
  size_t kl = strlen(key);
  for (char *line = s; line && *line;) {
    if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
      *out = strtoll(line + kl + 1, NULL, 10);
      return 0;
    }
    line = strchr(line, '\n');
    if (line)
      line++;
  }
  return herr_set(err, 0, "%s/%s: no \"%s\" entry", dir, file, key);
}

static int read_procs_one(const char *dir, bool recursive, pid_t **pids, size_t *n, herr_t *err)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read(dir, "cgroup.procs", &s, err) < 0)
    return -1;
  for (char *p = s; *p;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p)
      break;
    if (v > 0) {
      *pids = xrealloc(*pids, (*n + 1) * sizeof(pid_t));
      (*pids)[(*n)++] = (pid_t)v;
    }
    p = end;
    while (*p == '\n')
      p++;
  }
  if (!recursive)
    return 0;
  DIR *d = opendir(dir);
  if (!d)
    return herr_sys(err, "open %s", dir);
  struct dirent *e;
  int r = 0;
  while ((e = readdir(d)) != NULL && r == 0) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.')
      continue;
    _cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
    r = read_procs_one(sub, true, pids, n, err);
  }
  closedir(d);
  return r;
}

int cg_read_procs(const char *dir, bool recursive, pid_t **pids, size_t *n, herr_t *err)
{
  *pids = NULL;
  *n = 0;
  if (read_procs_one(dir, recursive, pids, n, err) < 0) {
    free(*pids);
    *pids = NULL;
    *n = 0;
    return -1;
  }
  return 0;
}

static void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* rmdir one directory, retrying on EBUSY (dying processes take a moment to
 * leave; a zombie still counts) and SIGKILLing whatever is still listed. */
static int rmdir_retry(const char *dir, herr_t *err)
{
  long delay = 5;
  for (int attempt = 0;; attempt++) {
    if (rmdir(dir) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY && errno != EAGAIN)
      return herr_sys(err, "remove cgroup %s", dir);
    if (attempt >= 60) {
      int saved = errno;
      pid_t *pids = NULL;
      size_t n = 0;
      herr_t ignored = NULL;
      cg_read_procs(dir, false, &pids, &n, &ignored);
      herr_free(&ignored);
      free(pids);
      return herr_errno(err, saved, "remove cgroup %s (%zu process(es) still inside)", dir, n);
    }
    pid_t *pids = NULL;
    size_t n = 0;
    herr_t ignored = NULL;
    if (cg_read_procs(dir, false, &pids, &n, &ignored) == 0)
      for (size_t i = 0; i < n; i++)
        kill(pids[i], SIGKILL);
    herr_free(&ignored);
    free(pids);
    sleep_ms(delay);
    if (delay < 200)
      delay *= 2;
  }
}

int cg_rmdir_tree(const char *dir, herr_t *err)
{
  /* Usually a leaf with no process left: one rmdir, no directory walk. */
  if (rmdir(dir) == 0 || errno == ENOENT)
    return 0;
  DIR *d = opendir(dir);
  if (!d) {
    if (errno == ENOENT)
      return 0;
    return herr_sys(err, "open %s", dir);
  }
  struct dirent *e;
  int r = 0;
  while ((e = readdir(d)) != NULL && r == 0) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.')
      continue;
    _cleanup_free_ char *sub = xasprintf("%s/%s", dir, e->d_name);
    r = cg_rmdir_tree(sub, err);
  }
  closedir(d);
  if (r < 0)
    return r;
  return rmdir_retry(dir, err);
}
