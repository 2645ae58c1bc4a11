/* Rootless: can this caller make and use the container's cgroup itself? */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "spec/base/util.h"

/* The container's directory, or its nearest existing ancestor inside the
 * hierarchy, must be writable (and searchable) by us. */
static bool hier_writable(const struct cg_hier *h)
{
  _cleanup_free_ char *p = xstrdup(h->dir);
  size_t mnt_len = strlen(h->mnt);
  for (;;) {
    struct stat st;
    if (stat(p, &st) == 0)
      return S_ISDIR(st.st_mode) && access(p, W_OK | X_OK) == 0;
    if (errno != ENOENT)
      return false;
    char *slash = strrchr(p, '/');
    if (!slash || (size_t)(slash - p) < mnt_len)
      return false;
    *slash = '\0';
  }
}

const char *cgfs_unwritable_dir(const struct cgfs *m)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (!hier_writable(&m->h[i]))
      return m->h[i].dir;
  return NULL;
}
