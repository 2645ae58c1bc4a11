/* Freezing (pause/resume) and killing every process of a cgroup.
 * v1: freezer.state FROZEN/THAWED, waiting until the state reads back.
 * v2: cgroup.freeze, waiting for "frozen 1"/"frozen 0" in cgroup.events;
 *     cgroup.kill when the kernel has it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

/* A freezer: the v1 freezer hierarchy, or the unified one (cgroup.freeze is
 * a core file of every non-root cgroup2 directory). */
static struct cg_hier *freezer_hier(struct cgfs *m)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (!m->h[i].v2 && cg_key_has(m->h[i].key, "freezer"))
      return &m->h[i];
  struct cg_hier *u = cg_unified(m);
  if (u && cg_file_exists(u->dir, "cgroup.freeze"))
    return u;
  return NULL;
}

static void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int freeze_v1(struct cg_hier *h, bool freeze, herr_t *err)
{
  const char *want = freeze ? "FROZEN" : "THAWED";
  /* Bounded: about 10 seconds.  A task in an uninterruptible sleep can keep a
   * cgroup FREEZING; writing FROZEN again retries the freeze. */
  long delay = 1;
  for (int i = 0; i < 200; i++) {
    if (i % 10 == 0 && cg_write(h->dir, "freezer.state", want, NULL, err) < 0)
      return -1;
    _cleanup_free_ char *st = NULL;
    if (cg_read(h->dir, "freezer.state", &st, err) < 0)
      return -1;
    if (strncmp(st, want, strlen(want)) == 0)
      return 0;
    sleep_ms(delay);
    if (delay < 50)
      delay *= 2;
  }
  if (freeze) {
    herr_t ignored = NULL;
    cg_write(h->dir, "freezer.state", "THAWED", NULL, &ignored);
    herr_free(&ignored);
  }
  return herr_set(err, 0, "%s: timed out waiting for freezer.state to read %s", h->dir, want);
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* "frozen N" from cgroup.events, read through fd (which also re-arms its
 * POLLPRI notification: kernfs reports a change until the file is read). */
static int read_frozen(int fd, const char *path, int *frozen, herr_t *err)
{
  char buf[256];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n < 0)
    return herr_sys(err, "read %s", path);
  buf[n] = '\0';
  char *p = strstr(buf, "frozen ");
  if (!p)
    return herr_set(err, 0, "%s: no \"frozen\" entry", path);
  *frozen = atoi(p + 7);
  return 0;
}

static int freeze_v2(struct cg_hier *h, bool freeze, herr_t *err)
{
  _cleanup_free_ char *ev = xasprintf("%s/cgroup.events", h->dir);
  _cleanup_close_ int fd = open(ev, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "open %s", ev);
  if (cg_write(h->dir, "cgroup.freeze", freeze ? "1" : "0", NULL, err) < 0)
    return -1;
  /* Bounded: 10 seconds. */
  long deadline = now_ms() + 10000;
  for (;;) {
    int frozen = -1;
    if (read_frozen(fd, ev, &frozen, err) < 0)
      return -1;
    if (frozen == (freeze ? 1 : 0))
      return 0;
    long left = deadline - now_ms();
    if (left <= 0)
      break;
    struct pollfd p = {fd, POLLPRI, 0};
    poll(&p, 1, left < 100 ? (int)left : 100);
  }
  if (freeze) {
    herr_t ignored = NULL;
    cg_write(h->dir, "cgroup.freeze", "0", NULL, &ignored);
    herr_free(&ignored);
  }
  return herr_set(err, 0, "%s: timed out waiting for cgroup.events to say frozen %d", h->dir,
                  freeze ? 1 : 0);
}

int cgfs_freeze(struct cgfs *m, bool freeze, herr_t *err)
{
  struct cg_hier *h = freezer_hier(m);
  if (!h)
    return herr_set(err, 0, "%s: the freezer controller is not available on this host",
                    freeze ? "pause" : "resume");
  return h->v2 ? freeze_v2(h, freeze, err) : freeze_v1(h, freeze, err);
}

int cgfs_is_frozen(struct cgfs *m, bool *frozen, herr_t *err)
{
  *frozen = false;
  /* Cheap: no probing, one small read (the v1 freezer, else cgroup.freeze). */
  _cleanup_free_ char *p = NULL;
  for (size_t i = 0; i < m->n_h && !p; i++)
    if (!m->h[i].v2 && cg_key_has(m->h[i].key, "freezer"))
      p = xasprintf("%s/freezer.state", m->h[i].dir);
  struct cg_hier *u = cg_unified(m);
  if (!p && u)
    p = xasprintf("%s/cgroup.freeze", u->dir);
  if (!p)
    return 0;
  char buf[32];
  _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return 0; /* no cgroup (any more), or no freezer: not frozen */
    return herr_sys(err, "open %s", p);
  }
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  if (n < 0)
    return herr_sys(err, "read %s", p);
  buf[n] = '\0';
  *frozen = strncmp(buf, "FROZEN", 6) == 0 || buf[0] == '1';
  return 0;
}

int cgfs_kill_all(struct cgfs *m, int sig, herr_t *err)
{
  struct cg_hier *p = cg_primary(m);
  if (sig == SIGKILL && p->v2 && cg_file_exists(p->dir, "cgroup.kill"))
    return cg_write(p->dir, "cgroup.kill", "1", NULL, err);
  /* Freeze so that nothing forks while we go through the list, signal each
   * process, thaw.  SIGKILL always thaws (frozen v1 tasks cannot die). */
  bool was_frozen = false, froze = false;
  herr_t e = NULL;
  struct cg_hier *fz = sig ? freezer_hier(m) : NULL; /* signal 0 only probes */
  if (fz) {
    if (cgfs_is_frozen(m, &was_frozen, &e) == 0 && !was_frozen && cgfs_freeze(m, true, &e) == 0)
      froze = true;
    herr_free(&e);
  }
  pid_t *pids = NULL;
  size_t n = 0;
  int ret = cg_read_procs(p->dir, true, &pids, &n, err);
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (kill(pids[i], sig) < 0 && errno != ESRCH) {
      ret = herr_sys(err, "kill process %d", (int)pids[i]);
      break;
    }
  free(pids);
  if (froze || (fz && was_frozen && sig == SIGKILL)) {
    if (cgfs_freeze(m, false, &e) < 0 && ret == 0) {
      *err = e;
      e = NULL;
      ret = -1;
    }
    herr_free(&e);
  }
  return ret;
}

/* Read a small cgroup file whole; 0 with *buf empty when it does not exist. */
static int read_small(const char *dir, const char *file, char *buf, size_t len, herr_t *err)
{
  buf[0] = '\0';
  _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
  _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : herr_sys(err, "open %s", p);
  ssize_t n = read(fd, buf, len - 1);
  if (n < 0)
    return herr_sys(err, "read %s", p);
  buf[n] = '\0';
  return 0;
}

int cgfs_check_thawed(struct cgfs *m, bool unified, herr_t *err)
{
  char buf[128];
  for (size_t i = 0; i < m->n_h; i++) {
    struct cg_hier *h = &m->h[i];
    if (h->v2 != unified || (!h->v2 && !cg_key_has(h->key, "freezer")))
      continue;
    if (!h->v2) {
      if (read_small(h->dir, "freezer.state", buf, sizeof(buf), err) < 0)
        return -1;
      if (buf[0] && strncmp(buf, "THAWED", 6) != 0)
        return herr_set(err, 0,
                        "cgroup %s is frozen (freezer.state %.8s): thaw it first, the "
                        "container's init would hang in it",
                        h->dir, buf);
      continue;
    }
    /* cgroup.freeze: frozen itself; "frozen 1" in cgroup.events: by an ancestor too. */
    if (read_small(h->dir, "cgroup.freeze", buf, sizeof(buf), err) < 0)
      return -1;
    bool frozen = buf[0] == '1';
    if (!frozen) {
      if (read_small(h->dir, "cgroup.events", buf, sizeof(buf), err) < 0)
        return -1;
      frozen = strstr(buf, "frozen 1") != NULL;
    }
    if (frozen)
      return herr_set(err, 0,
                      "cgroup %s is frozen (cgroup.freeze or cgroup.events): thaw it first, the "
                      "container's init would hang in it",
                      h->dir);
  }
  return 0;
}
