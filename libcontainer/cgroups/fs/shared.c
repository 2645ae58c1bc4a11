/* A cgroup several containers use (one cgroupsPath): whose it is (see
 * cgroup.h, cgroup_owned ... cgroup_adopt). */
#include <string.h>

#include "libcontainer/cgroups/fs/internal.h"

bool cgfs_owned(const struct cgfs *m)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (m->h[i].created > 0)
      return true;
  return false;
}

bool cgfs_existed(const struct cgfs *m)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (m->h[i].created == 0)
      return true;
  return false;
}

static const struct cg_hier *same_dir(const struct cgfs *m, const char *dir)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (strcmp(m->h[i].dir, dir) == 0)
      return &m->h[i];
  return NULL;
}

bool cgfs_same(const struct cgfs *a, const struct cgfs *b)
{
  for (size_t i = 0; i < a->n_h; i++)
    if (same_dir(b, a->h[i].dir))
      return true;
  return false;
}

void cgfs_adopt(struct cgfs *m, const struct cgfs *other)
{
  for (size_t i = 0; i < m->n_h; i++) {
    const struct cg_hier *o = same_dir(other, m->h[i].dir);
    if (m->h[i].created == 0 && o && o->created > 0)
      m->h[i].created = 1; /* the leaf only: its ancestors stay the other's */
  }
}
