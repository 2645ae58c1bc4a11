/* `delete`: kill what is left (created, or running with --force), remove
 * the cgroup and the state dir, then run the poststop hooks.
 * A cgroup can hold more than this container (one cgroupsPath for several,
 * as runc allows, or a new container in the path of an old --keep one):
 * only the init is killed then (with its own pid namespace, the kernel kills
 * the rest of it), and the whole cgroup is killed and removed only when
 * hutch made it and no other container of the root uses it. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"

/* Processes left in a cgroup delete does not remove: say so (runc warns too). */
static void warn_not_empty(struct container *c, size_t n_sharers)
{
  pid_t *pids = NULL;
  size_t n = 0;
  _cleanup_herr_ herr_t e = NULL;
  if (cgroup_pids(c->cgroup, &pids, &n, &e) == 0 && n > 0)
    hlog_warn("delete %s: the cgroup is not empty (%zu processes%s): left in place", c->id, n,
              n_sharers ? ", another container uses it" : "");
  free(pids);
}

/* A pid namespace of its own: once its init is gone, the kernel has killed
 * every process of the container, and what a cgroup still holds belongs to
 * someone else. */
static bool own_pid_ns(const struct container *c)
{
  if (!c->spec || !c->spec->has_linux)
    return false;
  const struct spec_linux *l = &c->spec->linux_;
  for (size_t i = 0; i < l->n_namespaces; i++)
    if (l->namespaces[i].type == SPEC_NS_PID)
      return !l->namespaces[i].path || !*l->namespaces[i].path;
  return false;
}

static int kill_and_wait(struct container *c, enum container_status s, bool whole, herr_t *err)
{
  _cleanup_herr_ herr_t e = NULL;
  if (whole && cgroup_kill_all(c->cgroup, SIGKILL, &e) < 0)
    herr_free(&e); /* the init alone is killed below */
  if (container_kill(c, SIGKILL, false, &e) < 0 && proc_alive(c->pid, c->pid_start)) {
    herr_from_parts(err, e->errnum, e->msg);
    return herr_wrap(err, "kill");
  }
  if (s == CONTAINER_PAUSED && c->cgroup)
    cgroup_freeze(c->cgroup, false, &e);
  herr_free(&e);
  return container_wait_gone(c, err);
}

/* Whether the cgroup holds no process (so removing it takes nothing from
 * anyone): gone counts as empty, unknown as not. */
static bool cgroup_empty(struct cgroup_manager *m)
{
  pid_t *pids = NULL;
  size_t n = 0;
  _cleanup_herr_ herr_t e = NULL;
  bool empty = cgroup_pids(m, &pids, &n, &e) == 0 ? n == 0 : e->errnum == ENOENT;
  free(pids);
  return empty;
}

static int delete_locked(struct container *c, bool force, struct cgroup_manager ***sharers,
                         size_t *n_sharers, herr_t *err)
{
  enum container_status s = container_status(c);
  bool died = false;
  if (s == CONTAINER_CREATING && !c->cgroup) {
    /* No state.json, and we hold the lock `create` holds until it writes
     * it: that create died (kill -9), perhaps after making the cgroup.
     * Its init died with it (parent-death signal); remove what is left. */
    if (state_read_cgroup(c, err) < 0)
      return herr_wrap(err, "the cgroup of a create that died");
    died = c->cgroup != NULL;
  }
  if ((s == CONTAINER_RUNNING || s == CONTAINER_PAUSED) && !force)
    return herr_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", c->id,
                    container_status_name(s));
  bool alive = s == CONTAINER_CREATED || s == CONTAINER_RUNNING || s == CONTAINER_PAUSED;
  if (c->cgroup && !died && own_pid_ns(c)) {
    /* The common case, without reading the other containers' state: the
     * init takes its pid namespace with it, and an empty cgroup hutch made
     * is removed.  One still holding processes holds another container's,
     * or this one's when its init was not found (its pid reused): the scan
     * below decides. */
    if (alive && kill_and_wait(c, s, false, err) < 0)
      return -1;
    alive = false;
    if (!cgroup_owned(c->cgroup)) {
      warn_not_empty(c, 0);
      return 0;
    }
    if (cgroup_empty(c->cgroup))
      return cgroup_destroy(c->cgroup, err) < 0 ? herr_wrap(err, "remove the cgroup") : 0;
  }
  *n_sharers = c->cgroup ? state_cgroup_sharers(c, sharers) : 0;
  if (died && *n_sharers == 0)
    cgroup_claim_leaf(c->cgroup);
  bool whole = c->cgroup && *n_sharers == 0 && cgroup_owned(c->cgroup);
  if (alive && kill_and_wait(c, s, whole, err) < 0)
    return -1;
  if (whole && cgroup_destroy(c->cgroup, err) < 0)
    return herr_wrap(err, "remove the cgroup");
  if (c->cgroup && !whole)
    warn_not_empty(c, *n_sharers);
  return 0;
}

int container_delete_cgroup(struct container *c, bool force, herr_t *err)
{
  struct cgroup_manager **sharers = NULL;
  size_t n_sharers = 0;
  int r = delete_locked(c, force, &sharers, &n_sharers, err);
  state_cgroup_sharers_free(sharers, n_sharers);
  return r;
}

int container_delete(struct container *c, bool force, herr_t *err)
{
  if (container_delete_cgroup(c, force, err) < 0)
    return -1;
  state_dir_remove(c);
  if (c->spec && c->spec->hooks.n_hooks[SPEC_HOOK_POSTSTOP]) {
    _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_STOPPED);
    hooks_run_all(c->spec, SPEC_HOOK_POSTSTOP, state, "delete", c->id);
  }
  return 0;
}
