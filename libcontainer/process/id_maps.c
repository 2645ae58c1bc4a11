/* The uid/gid maps of a new user namespace, written by the parent.  With
 * privilege (or uid 0 in a user namespace of its own, rootless podman's
 * case) hutch writes /proc/PID/{uid,gid}_map itself.  An unprivileged caller
 * may write only one id, its own, and for gid_map only once setgroups is
 * denied; anything else goes through the setuid newuidmap/newgidmap
 * (Debian: uidmap), which check /etc/subuid and /etc/subgid, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/process/namespaces.h"
#include "libcontainer/utils/fileio.h"

extern char **environ;

/* One id, the caller's own: the kernel lets an unprivileged owner write it. */
static bool own_single(const struct spec_id_mapping *m, size_t n, unsigned id)
{
  return n == 1 && m[0].size == 1 && m[0].host_id == id;
}

/* An executable `name` in $PATH, malloc'd; NULL when there is none. */
static char *find_in_path(const char *name)
{
  const char *path = getenv("PATH");
  if (!path || !*path)
    path = "/usr/bin:/bin";
  while (*path) {
    const char *colon = strchr(path, ':');
    size_t len = colon ? (size_t)(colon - path) : strlen(path);
    if (len > 0 && path[0] == '/') {
      char *cand = xasprintf("%.*s/%s", (int)len, path, name);
      struct stat st;
      if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
        return cand;
      free(cand);
    }
    path += len + (colon ? 1 : 0);
  }
  return NULL;
}

int ns_plan_id_map_helpers(const struct spec *s, struct ns_plan *p, herr_t *err)
{
  p->newuidmap = p->newgidmap = NULL;
  if (!p->new_ns[SPEC_NS_USER] || geteuid() == 0)
    return 0;
  const struct spec_linux *l = &s->linux_;
  if (!own_single(l->uid_mappings, l->n_uid_mappings, (unsigned)geteuid())) {
    p->newuidmap = find_in_path("newuidmap");
    if (!p->newuidmap)
      return herr_set(err, ENOENT,
                      "linux.uidMappings: mapping more than your own uid %u needs newuidmap "
                      "(package uidmap), not found in PATH",
                      (unsigned)geteuid());
  }
  if (!own_single(l->gid_mappings, l->n_gid_mappings, (unsigned)getegid())) {
    p->newgidmap = find_in_path("newgidmap");
    if (!p->newgidmap) {
      free(p->newuidmap);
      p->newuidmap = NULL;
      return herr_set(err, ENOENT,
                      "linux.gidMappings: mapping more than your own gid %u needs newgidmap "
                      "(package uidmap), not found in PATH",
                      (unsigned)getegid());
    }
  }
  return 0;
}

static const char *field_of(const char *file)
{
  return strcmp(file, "uid_map") == 0 ? "linux.uidMappings" : "linux.gidMappings";
}

static int write_map(pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n,
                     herr_t *err)
{
  size_t cap = n * 40 + 1, len = 0;
  _cleanup_free_ char *buf = xmalloc(cap);
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
                            m[i].size);
  _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "open %s", path);
  if (write(fd, buf, len) != (ssize_t)len)
    return herr_sys(err, "write %s (%s)", file, field_of(file));
  return 0;
}

/* helper PID C H S [C H S...]; its stderr's first line goes into the error. */
static int run_map_helper(const char *helper, pid_t pid, const char *file,
                          const struct spec_id_mapping *m, size_t n, herr_t *err)
{
  size_t argc = 2 + 3 * n + 1;
  _cleanup_free_ char **argv = xcalloc(argc, sizeof(char *));
  argv[0] = (char *)helper;
  argv[1] = xasprintf("%d", (int)pid);
  for (size_t i = 0; i < n; i++) {
    argv[2 + 3 * i] = xasprintf("%u", m[i].container_id);
    argv[3 + 3 * i] = xasprintf("%u", m[i].host_id);
    argv[4 + 3 * i] = xasprintf("%u", m[i].size);
  }
  int rc = -1;
  int pfd[2] = {-1, -1};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (pipe2(pfd, O_CLOEXEC) < 0) {
    herr_sys(err, "%s: pipe", field_of(file));
    goto out;
  }
  posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t child;
  int e = posix_spawn(&child, helper, &fa, NULL, argv, environ);
  close(pfd[1]);
  pfd[1] = -1;
  if (e != 0) {
    errno = e;
    herr_sys(err, "%s: run %s", field_of(file), helper);
    goto out;
  }
  char msg[256];
  size_t got = 0;
  ssize_t r;
  while ((r = read(pfd[0], msg + got, sizeof(msg) - 1 - got)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0 && (got += (size_t)r) >= sizeof(msg) - 1)
      break;
  msg[got] = '\0';
  msg[strcspn(msg, "\n")] = '\0';
  int st = 0;
  while (waitpid(child, &st, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    rc = 0;
  } else {
    herr_set(err, EPERM, "%s: %s failed%s%s (is the range in /etc/sub%cid?)", field_of(file),
             helper, *msg ? ": " : "", msg, file[0]);
  }
out:
  posix_spawn_file_actions_destroy(&fa);
  if (pfd[0] >= 0)
    close(pfd[0]);
  if (pfd[1] >= 0)
    close(pfd[1]);
  for (size_t i = 1; i < argc; i++)
    free(argv[i]);
  return rc;
}

int ns_write_id_maps(pid_t pid, const struct spec *s, const struct ns_plan *p, herr_t *err)
{
  const struct spec_linux *l = &s->linux_;
  if (p->newuidmap) {
    if (run_map_helper(p->newuidmap, pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0)
      return -1;
  } else if (write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0) {
    return -1;
  }
  if (p->newgidmap)
    return run_map_helper(p->newgidmap, pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
  if (geteuid() != 0) {
    /* Without privilege a gid map may only be written once setgroups is denied. */
    _cleanup_free_ char *path = xasprintf("/proc/%d/setgroups", (int)pid);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && write(fd, "deny", 4) < 0)
      return herr_sys(err, "write %s", path);
  }
  return write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}
