/* A container without a cgroup (rootless, its cgroup not delegated): what
 * can still be done through its pid namespace, and the message for what
 * cannot. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/container/lifecycle.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"

int container_no_cgroup(const struct container *c, const char *verb, herr_t *err)
{
  return herr_set(err, EOPNOTSUPP,
                  "container %s has no cgroup hutch can %s (rootless, and its cgroup was not "
                  "delegated to uid %u)",
                  c->id, verb, (unsigned)geteuid());
}

/* Is the init pid 1 of its own pid namespace ("NSpid: HOST ... 1")? */
static bool init_owns_pidns(pid_t pid)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  _cleanup_free_ char *text = NULL;
  herr_t e = NULL;
  if (read_file_at(AT_FDCWD, path, &text, NULL, &e) < 0) {
    herr_free(&e);
    return false;
  }
  char *l = strstr(text, "\nNSpid:");
  if (!l)
    return false;
  l += 7;
  char *end = l + strcspn(l, "\n");
  *end = '\0';
  char *last = strrchr(l, '\t');
  last = last ? last + 1 : l;
  while (*last == ' ')
    last++;
  return strcmp(last, "1") == 0 && strchr(l, '\t') != strrchr(l, '\t');
}

int container_pidns_signal_all(struct container *c, int sig, herr_t *err)
{
  /* SIGKILL to the init of a pid namespace kills every process in it. */
  if (sig != SIGKILL || !proc_alive(c->pid, c->pid_start) || !init_owns_pidns(c->pid))
    return container_no_cgroup(c,
                               "signal every process of (only SIGKILL, through a pid "
                               "namespace of its own, can be)",
                               err);
  if (kill(c->pid, SIGKILL) < 0 && errno != ESRCH)
    return herr_sys(err, "send signal 9 to pid %d", (int)c->pid);
  return 0;
}

static int ns_ino(pid_t pid, ino_t *ino)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
  struct stat st;
  if (stat(path, &st) < 0)
    return -1;
  *ino = st.st_ino;
  return 0;
}

int container_pidns_pids(struct container *c, pid_t **pids, size_t *n, herr_t *err)
{
  *pids = NULL;
  *n = 0;
  if (!proc_alive(c->pid, c->pid_start))
    return 0;
  ino_t want;
  if (!init_owns_pidns(c->pid) || ns_ino(c->pid, &want) < 0)
    return container_no_cgroup(c, "list the processes of (and it has no pid namespace of its own)",
                               err);
  DIR *d = opendir("/proc");
  if (!d)
    return herr_sys(err, "open /proc");
  size_t cap = 16;
  pid_t *out = xcalloc(cap, sizeof(pid_t));
  struct dirent *de;
  while ((de = readdir(d))) {
    char *end = NULL;
    long p = strtol(de->d_name, &end, 10);
    if (p <= 0 || *end)
      continue;
    ino_t ino;
    if (ns_ino((pid_t)p, &ino) < 0 || ino != want)
      continue;
    if (*n == cap)
      out = xrealloc(out, (cap *= 2) * sizeof(pid_t));
    out[(*n)++] = (pid_t)p;
  }
  closedir(d);
  *pids = out;
  return 0;
}
