/* Rootless mode detection and its default state root (see rootless.h). */
#include "libcontainer/utils/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libcontainer/utils/fileio.h"

int rootless_parse(const char *s, enum rootless_mode *out)
{
  if (strcmp(s, "auto") == 0)
    *out = ROOTLESS_AUTO;
  else if (strcmp(s, "true") == 0)
    *out = ROOTLESS_TRUE;
  else if (strcmp(s, "false") == 0)
    *out = ROOTLESS_FALSE;
  else
    return -1;
  return 0;
}

bool rootless_in_partial_userns(void)
{
  _cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false; /* no procfs: nothing says we are in a user namespace */
  char buf[256];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  unsigned long long inside = 0, outside = 0, len = 0;
  char tail[2];
  /* Exactly one line "0 0 4294967295": the initial user namespace. */
  if (sscanf(buf, "%llu %llu %llu %1s", &inside, &outside, &len, tail) == 3 && inside == 0 &&
      outside == 0 && len == 4294967295ULL)
    return false;
  return true;
}

bool rootless_resolve(enum rootless_mode m)
{
  if (m != ROOTLESS_AUTO)
    return m == ROOTLESS_TRUE;
  return geteuid() != 0 || rootless_in_partial_userns();
}

int rootless_default_root(char **out, herr_t *err)
{
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (!xdg || !*xdg)
    return herr_set(err, EINVAL,
                    "rootless: XDG_RUNTIME_DIR is not set: set it (e.g. /run/user/%u) or pass "
                    "--root DIR",
                    (unsigned)getuid());
  if (xdg[0] != '/')
    return herr_set(err, EINVAL, "rootless: XDG_RUNTIME_DIR=%s is not an absolute path", xdg);
  *out = xasprintf("%s/hutch", xdg);
  return 0;
}

char *rootless_cgroup_beside(const char *self_cgroup, const char *id)
{
  if (!self_cgroup || strncmp(self_cgroup, "0::/", 4) != 0 || !id || !*id || strchr(id, '/'))
    return NULL;
  const char *path = self_cgroup + 3;
  size_t len = strcspn(path, "\n");
  if (path[len] == '\n' && path[len + 1] != '\0')
    return NULL; /* more lines: v1 hierarchies too */
  /* The parent: everything before the last '/'; "/" (or "/x") -> "". */
  size_t parent = len;
  while (parent > 0 && path[parent - 1] == '/')
    parent--;
  while (parent > 0 && path[parent - 1] != '/')
    parent--;
  while (parent > 0 && path[parent - 1] == '/')
    parent--;
  return xasprintf("%.*s/%s", (int)parent, path, id);
}

char *rootless_default_cgroup(const char *id)
{
  _cleanup_free_ char *text = NULL;
  herr_t e = NULL;
  if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, &e) < 0) {
    herr_free(&e);
    return NULL;
  }
  return rootless_cgroup_beside(text, id);
}
