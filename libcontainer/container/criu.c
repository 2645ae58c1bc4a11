/* Finding criu, `criu check` (cached), running criu, its errors, and the
 * container's external mounts as criu options. */
#include "libcontainer/container/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/utils/fileio.h"

/* Where root caches the answer of `criu check`: hutch's default state
 * root, whatever --root is (a bats run uses one root per test; criu check
 * takes seconds in a TCG VM). */
#define CRIU_CHECK_DIR "/run/hutch"
#define CRIU_CHECK_CACHE ".criu~check"

/* The cache file, or NULL when there is none to trust: root only, in a
 * directory of root's that nobody else can write. */
static char *cache_path(void)
{
  if (geteuid() != 0)
    return NULL;
  if (mkdir(CRIU_CHECK_DIR, 0700) < 0 && errno != EEXIST)
    return NULL;
  struct stat st;
  if (lstat(CRIU_CHECK_DIR, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & 022))
    return NULL;
  return xasprintf("%s/%s", CRIU_CHECK_DIR, CRIU_CHECK_CACHE);
}

void criu_argv_add(struct criu_argv *a, const char *fmt, ...)
{
  if (a->n + 2 > a->cap) {
    a->cap = a->cap ? a->cap * 2 : 32;
    a->v = xrealloc(a->v, a->cap * sizeof(char *));
  }
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  va_end(ap);
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

void criu_argv_free(struct criu_argv *a)
{
  for (size_t i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}

/* The criu binary: a path as given, else the first `criu` in PATH. */
static char *criu_find(const char *criu)
{
  if (!criu || !*criu)
    criu = "criu";
  if (strchr(criu, '/'))
    return access(criu, X_OK) == 0 ? xstrdup(criu) : NULL;
  const char *path = getenv("PATH");
  if (!path || !*path)
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  _cleanup_free_ char *copy = xstrdup(path);
  for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    char *p = xasprintf("%s/%s", *d ? d : ".", criu);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
      return p;
    free(p);
  }
  return NULL;
}

/* The most telling line of criu's output: the first "Error (file:line): "
 * line (the cause; later ones say what failed because of it) without that
 * prefix, else the last non-empty line.  malloc'd. */
static char *criu_error_line(const char *text)
{
  const char *best = NULL, *last = NULL;
  size_t best_len = 0, last_len = 0;
  for (const char *line = text; line && *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    if (len > 0) {
      last = line, last_len = len;
      const char *e = best ? NULL : memmem(line, len, "Error (", 7);
      if (e) {
        const char *close = memmem(e, len - (size_t)(e - line), "): ", 3);
        if (close) {
          best = close + 3;
          best_len = len - (size_t)(best - line);
        }
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  if (!best)
    best = last, best_len = last_len;
  if (!best)
    return xstrdup("no output");
  if (best_len > 300)
    best_len = 300;
  return xasprintf("%.*s", (int)best_len, best);
}

/* Run `criu check`: 0 when it passes, else -1 with *why set. */
static int criu_check(const char *path, char **why)
{
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0) {
    *why = xasprintf("pipe: %s", strerror(errno));
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *why = xasprintf("fork: %s", strerror(errno));
    close(pfd[0]);
    close(pfd[1]);
    return -1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
      _exit(127);
    execl(path, path, "check", (char *)NULL);
    _exit(127);
  }
  close(pfd[1]);
  _cleanup_free_ char *out = NULL;
  if (read_all_fd(pfd[0], &out) < 0)
    out = NULL;
  close(pfd[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
    return 0;
  *why = criu_error_line(out ? out : "");
  return -1;
}

int criu_available(const char *criu, char **path, herr_t *err)
{
  _cleanup_free_ char *bin = criu_find(criu);
  if (!bin) {
    if (criu && strchr(criu, '/'))
      return herr_set(err, ENOENT, "checkpoint/restore needs criu: --criu %s is not executable",
                      criu);
    return herr_set(err, ENOENT,
                    "checkpoint/restore needs criu, which is not installed (no criu in PATH)");
  }
  struct stat st;
  struct utsname u;
  if (stat(bin, &st) < 0 || uname(&u) < 0)
    return herr_sys(err, "checkpoint/restore: stat %s", bin);
  _cleanup_free_ char *key =
      xasprintf("%s %llu %lld %lld %s %s\n", bin, (unsigned long long)st.st_ino,
                (long long)st.st_mtime, (long long)st.st_size, u.release, u.version);
  _cleanup_free_ char *cache = cache_path();
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  herr_t ignored = NULL;
  size_t klen = strlen(key);
  char *why = NULL;
  if (cache && read_file_at(AT_FDCWD, cache, &text, &len, &ignored) == 0 && len > klen &&
      memcmp(text, key, klen) == 0) {
    const char *verdict = text + klen;
    if (strncmp(verdict, "ok", 2) != 0)
      why = xstrdup(strncmp(verdict, "fail ", 5) == 0 ? verdict + 5 : verdict);
    char *nl = why ? strchr(why, '\n') : NULL;
    if (nl)
      *nl = '\0';
  } else {
    herr_free(&ignored);
    int ok = criu_check(bin, &why);
    if (cache) {
      _cleanup_free_ char *rec = xasprintf("%sfail %s\n", key, why ? why : "");
      if (ok == 0)
        snprintf(rec + klen, 4, "ok\n");
      if (write_file_atomic(cache, rec, strlen(rec), 0600, &ignored) < 0)
        herr_free(&ignored);
    }
  }
  herr_free(&ignored);
  if (why) {
    herr_set(err, 0, "checkpoint/restore does not work on this host: `%s check` failed: %s", bin,
             why);
    free(why);
    return -1;
  }
  *path = bin;
  bin = NULL;
  return 0;
}

pid_t criu_job_fork(struct criu_job *j, herr_t *err)
{
  int sp[2] = {-1, -1};
  j->sk = -1;
  if (j->rpc && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    return herr_sys(err, "socketpair for criu swrk");
  j->pid = fork();
  if (j->pid < 0) {
    herr_sys(err, "fork for criu");
    if (j->rpc) {
      close(sp[0]);
      close(sp[1]);
    }
    return -1;
  }
  if (j->rpc) {
    close(sp[j->pid == 0 ? 0 : 1]);
    j->sk = sp[j->pid == 0 ? 1 : 0];
  }
  return j->pid;
}

void criu_job_exec(struct criu_job *j, const int *keep_fds, size_t n_keep)
{
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (size_t i = 0; i < n_keep; i++)
    if (fcntl(keep_fds[i], F_SETFD, 0) < 0)
      _exit(127);
  struct criu_argv a = {0};
  criu_argv_add(&a, "%s", j->bin);
  if (j->rpc) {
    _cleanup_free_ char *conf = xasprintf("%s/%s.conf", j->work, j->action);
    if (fcntl(j->sk, F_SETFD, 0) < 0 || criu_rpc_write_config(j, conf) < 0)
      _exit(127);
    criu_argv_add(&a, "swrk");
    criu_argv_add(&a, "%d", j->sk);
  } else {
    criu_argv_add(&a, "%s", j->action);
    if (j->tree)
      criu_argv_add(&a, "--tree=%d", (int)j->tree);
    criu_argv_add(&a, "--images-dir");
    criu_argv_add(&a, "%s", j->images);
    criu_argv_add(&a, "--work-dir");
    criu_argv_add(&a, "%s", j->work);
    criu_argv_add(&a, "--log-file=%s", j->log);
    criu_argv_add(&a, "-v4");
    if (j->config) {
      criu_argv_add(&a, "--config");
      criu_argv_add(&a, "%s", j->config);
    }
    for (size_t i = 0; i < j->opts.n; i++)
      criu_argv_add(&a, "%s", j->opts.v[i]);
  }
  execv(a.v[0], a.v);
  _exit(127);
}

/* "criu dump failed (exit status 1): <the first Error line of the log>
 * (log: PATH)" as err. */
static int criu_failed(const struct criu_job *j, int status, bool said_failed, herr_t *err)
{
  _cleanup_free_ char *log = xasprintf("%s/%s", j->work, j->log);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  herr_t ignored = NULL;
  _cleanup_free_ char *line = NULL;
  if (read_file_at(AT_FDCWD, log, &text, &len, &ignored) == 0)
    line = criu_error_line(text);
  herr_free(&ignored);
  _cleanup_free_ char *how = said_failed ? xstrdup("it answered: failed")
                             : WIFSIGNALED(status)
                                 ? xasprintf("killed by signal %d", WTERMSIG(status))
                                 : xasprintf("exit status %d", WEXITSTATUS(status));
  if (line)
    return herr_set(err, 0, "criu %s failed (%s): %s (log: %s)", j->action, how, line, log);
  return herr_set(err, 0, "criu %s failed (%s), without a log at %s", j->action, how, log);
}

int criu_job_wait(struct criu_job *j, herr_t *err)
{
  bool failed = false;
  herr_t rpc_err = NULL;
  int r = 0;
  if (j->rpc) {
    r = criu_rpc_run(j, &failed, &rpc_err);
    close(j->sk);
    j->sk = -1;
    if (r < 0 && !failed)
      kill(j->pid, SIGKILL);
  }
  criu_argv_free(&j->opts);
  int st = 0;
  while (waitpid(j->pid, &st, 0) < 0) {
    if (errno != EINTR) {
      herr_free(&rpc_err);
      return herr_sys(err, "wait for criu");
    }
  }
  if (r < 0 && !failed) {
    *err = rpc_err;
    return -1;
  }
  herr_free(&rpc_err);
  if (r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
    return 0;
  /* criu swrk answers "failed" and exits 0: the log says why. */
  return criu_failed(j, st, failed, err);
}

bool criu_mount_is_bind(const struct spec_mount *m)
{
  if (m->type && strcmp(m->type, "bind") == 0)
    return true;
  for (size_t i = 0; i < m->n_options; i++)
    if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
      return true;
  return false;
}

/* A `type: cgroup` mount on a pure cgroup v2 host without a cgroup
 * namespace is a bind of the host's /sys/fs/cgroup (rootfs/cgroup_mount.c). */
static bool cgroup_is_bind(const struct spec *s, const struct spec_mount *m)
{
  if (!m->type || (strcmp(m->type, "cgroup") != 0 && strcmp(m->type, "cgroup2") != 0) ||
      spec_find_ns(s, SPEC_NS_CGROUP))
    return false;
  struct statfs sfs;
  return statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

void criu_external_mounts(const struct spec *s, const char *bundle, bool restore,
                          struct criu_argv *argv)
{
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct spec_mount *m = &s->mounts[i];
    if (m->destination && cgroup_is_bind(s, m)) {
      _cleanup_free_ char *dest = pathsafe_clean(m->destination);
      criu_argv_add(argv, "--external");
      criu_argv_add(argv, "mnt[%s]:%s", dest, restore ? "/sys/fs/cgroup" : dest);
      continue;
    }
    if (!criu_mount_is_bind(m) || !m->destination || !m->source)
      continue;
    _cleanup_free_ char *dest = pathsafe_clean(m->destination);
    if (!restore) {
      criu_argv_add(argv, "--external");
      criu_argv_add(argv, "mnt[%s]:%s", dest, dest);
      continue;
    }
    _cleanup_free_ char *src =
        m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
    criu_argv_add(argv, "--external");
    criu_argv_add(argv, "mnt[%s]:%s", dest, src);
  }
  if (!s->has_linux)
    return;
  for (size_t i = 0; i < s->linux_.n_devices; i++) {
    _cleanup_free_ char *dest = pathsafe_clean(s->linux_.devices[i].path);
    criu_argv_add(argv, "--external");
    criu_argv_add(argv, "mnt[%s]:%s", dest, dest);
  }
}
