/* `delete`: kill what is left (created, or running with --force), remove
 * the cgroup and the state dir, then run the poststop hooks. */
#include <errno.h>
#include <signal.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"

int container_delete(struct container *c, bool force, herr_t *err)
{
  enum container_status s = container_status(c);
  if (s == CONTAINER_CREATING && !c->cgroup) {
    /* No state.json, and we hold the lock `create` holds until it writes
     * it: that create died (kill -9), perhaps after making the cgroup.
     * Its init died with it (parent-death signal); remove what is left. */
    if (state_read_cgroup(c, err) < 0)
      return herr_wrap(err, "the cgroup of a create that died");
    if (c->cgroup)
      cgroup_claim_leaf(c->cgroup);
  }
  if ((s == CONTAINER_RUNNING || s == CONTAINER_PAUSED) && !force)
    return herr_set(err, EBUSY, "cannot delete container %s that is not stopped: %s", c->id,
                    container_status_name(s));
  if (s == CONTAINER_CREATED || s == CONTAINER_RUNNING || s == CONTAINER_PAUSED) {
    _cleanup_herr_ herr_t e = NULL;
    if (c->cgroup && cgroup_kill_all(c->cgroup, SIGKILL, &e) < 0)
      herr_free(&e); /* the init alone is killed below */
    if (container_kill(c, SIGKILL, false, &e) < 0 && proc_alive(c->pid, c->pid_start)) {
      herr_from_parts(err, e->errnum, e->msg);
      return herr_wrap(err, "kill");
    }
    if (s == CONTAINER_PAUSED && c->cgroup)
      cgroup_freeze(c->cgroup, false, &e);
    herr_free(&e);
    if (container_wait_gone(c, err) < 0)
      return -1;
  }
  if (c->cgroup && cgroup_destroy(c->cgroup, err) < 0)
    return herr_wrap(err, "remove the cgroup");
  state_dir_remove(c);
  if (c->spec && c->spec->hooks.n_hooks[SPEC_HOOK_POSTSTOP]) {
    _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_STOPPED);
    _cleanup_herr_ herr_t e = NULL;
    if (hooks_run(c->spec, SPEC_HOOK_POSTSTOP, state, &e) < 0)
      hlog_warn("delete %s: %s", c->id, e->msg);
  }
  return 0;
}
