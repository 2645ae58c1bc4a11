/* Shared by the cgroup commands (pause, resume, update, events, ps): load a
 * container that must have a cgroup. */
#ifndef HUTCH_CGCMD_H
#define HUTCH_CGCMD_H

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/lifecycle.h"

/* Load (and lock, when `lock`) container id; fails when it has no cgroup
 * ("container ID has no cgroup hutch can VERB (...)"), unless out_nocg is
 * given: then *out_nocg says so and the container is returned. */
static inline int cgcmd_load_verb(const char *root, const char *id, bool lock, const char *verb,
                                  struct container **out, bool *out_nocg, herr_t *err)
{
  struct container *c = NULL;
  if (container_load(root, id, &c, err) < 0)
    return -1;
  if (lock && container_lock(c, err) < 0) {
    container_free(c);
    return -1;
  }
  if (out_nocg)
    *out_nocg = !c->cgroup;
  if (!c->cgroup && !out_nocg) {
    container_no_cgroup(c, verb, err);
    container_free(c);
    return -1;
  }
  *out = c;
  return 0;
}

#endif
