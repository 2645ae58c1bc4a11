/* Shared by the cgroup commands (pause, resume, update, events, ps): load a
 * container that must have a cgroup. */
#ifndef HUTCH_CGCMD_H
#define HUTCH_CGCMD_H

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/lifecycle.h"

/* Load (and lock, when `lock`) container id; fails when it has no cgroup. */
static inline int cgcmd_load(const char *root, const char *id, bool lock, struct container **out,
                             herr_t *err)
{
  struct container *c = NULL;
  if (container_load(root, id, &c, err) < 0)
    return -1;
  if (lock && container_lock(c, err) < 0) {
    container_free(c);
    return -1;
  }
  if (!c->cgroup) {
    container_free(c);
    return herr_set(err, 0, "the container has no cgroup");
  }
  *out = c;
  return 0;
}

#endif
