/* Placeholder until the cgroup module lands: every operation is a no-op. */
#include <stdlib.h>

#include "libcontainer/cgroups/cgroup.h"

struct cgroup_manager {
  int dummy;
};

int cgroup_manager_new(const char *cgroups_path, const char *id, struct cgroup_manager **out,
                       herr_t *err)
{
  *out = calloc(1, sizeof(**out));
  return 0;
}
void cgroup_manager_free(struct cgroup_manager *m)
{
  free(m);
}
int cgroup_create(struct cgroup_manager *m, herr_t *err)
{
  return 0;
}
int cgroup_clone_into_fd(struct cgroup_manager *m)
{
  return -1;
}
int cgroup_enter(struct cgroup_manager *m, pid_t pid, herr_t *err)
{
  return 0;
}
int cgroup_apply(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err)
{
  return 0;
}
int cgroup_freeze(struct cgroup_manager *m, bool freeze, herr_t *err)
{
  return herr_set(err, 0, "pause/resume: not implemented yet");
}
int cgroup_is_frozen(struct cgroup_manager *m, bool *frozen, herr_t *err)
{
  *frozen = false;
  return 0;
}
int cgroup_kill_all(struct cgroup_manager *m, int sig, herr_t *err)
{
  return herr_set(err, 0, "kill --all: not implemented yet");
}
int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err)
{
  return herr_set(err, 0, "listing processes: not implemented yet");
}
int cgroup_stats(struct cgroup_manager *m, json_t **out, herr_t *err)
{
  return herr_set(err, 0, "stats: not implemented yet");
}
int cgroup_destroy(struct cgroup_manager *m, herr_t *err)
{
  return 0;
}
json_t *cgroup_manager_to_json(const struct cgroup_manager *m)
{
  return json_object();
}
int cgroup_manager_from_json(json_t *j, struct cgroup_manager **out, herr_t *err)
{
  *out = calloc(1, sizeof(**out));
  return 0;
}
