/* The driver choice and the cgroup_* calls: each one dispatches through the
 * manager's driver (cgroup.h), or says which operation the container's
 * driver cannot do. */
#include <ctype.h>
#include <string.h>

#include "libcontainer/cgroups/cgroup.h"
#include "spec/base/util.h"

/* The "none" driver: a manager that only knows its name.  Every operation
 * that needs a cgroup fails through cannot(). */
static int none_new(const struct cgroup_config *cfg, struct cgroup_manager **out, herr_t *err)
{
  (void)cfg;
  (void)err;
  *out = xcalloc(1, sizeof(**out));
  return 0;
}

static int none_load(json_t *j, struct cgroup_manager **out, herr_t *err)
{
  (void)j;
  return none_new(NULL, out, err);
}

static json_t *none_save(const struct cgroup_manager *m)
{
  (void)m;
  return json_object();
}

static void none_free(struct cgroup_manager *m)
{
  free(m);
}

const struct cgroup_driver cgroup_driver_none = {
    .name = "none",
    .new = none_new,
    .load = none_load,
    .save = none_save,
    .free = none_free,
};

/* Drivers this build has, by state name. */
static const struct cgroup_driver *const drivers[] = {&cgroup_driver_fs, &cgroup_driver_systemd,
                                                      &cgroup_driver_none};

const struct cgroup_driver *cgroup_driver_find(const char *name)
{
  for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
    if (strcmp(drivers[i]->name, name) == 0)
      return drivers[i];
  return NULL;
}

int cgroup_driver_select(bool systemd, const struct cgroup_driver **out, herr_t *err)
{
  if (!systemd) {
    *out = &cgroup_driver_fs;
    return 0;
  }
  (void)err;
  *out = &cgroup_driver_systemd;
  return 0;
}

const char *cgroup_driver_name(const struct cgroup_manager *m)
{
  return m->driver->name;
}

static int cannot(const struct cgroup_manager *m, const char *verb, herr_t *err)
{
  return herr_set(err, 0, "container %s has no cgroup hutch can %s (cgroup driver \"%s\")",
                  m->id ? m->id : "?", verb, m->driver->name);
}

int cgroup_manager_new(const struct cgroup_driver *drv, const struct cgroup_config *cfg,
                       struct cgroup_manager **out, herr_t *err)
{
  if (drv->new (cfg, out, err) < 0)
    return -1;
  (*out)->driver = drv;
  (*out)->id = xstrdup(cfg->id ? cfg->id : "");
  (*out)->spec = cfg->spec;
  return 0;
}

void cgroup_manager_free(struct cgroup_manager *m)
{
  if (!m)
    return;
  char *id = m->id;
  m->driver->free(m);
  free(id);
}

json_t *cgroup_manager_to_json(const struct cgroup_manager *m)
{
  json_t *j = m->driver->save(m);
  if (j)
    json_object_set_new(j, "driver", json_string(m->driver->name));
  return j;
}

int cgroup_manager_from_json(json_t *j, const char *id, struct cgroup_manager **out, herr_t *err)
{
  if (!json_is_object(j))
    return herr_set(err, 0, "cgroup: malformed cgroup state");
  json_t *name = json_object_get(j, "driver");
  if (name && !json_is_string(name))
    return herr_set(err, 0, "cgroup: malformed cgroup state (driver)");
  const char *n = name ? json_string_value(name) : cgroup_driver_fs.name;
  const struct cgroup_driver *drv = cgroup_driver_find(n);
  if (!drv)
    return herr_set(err, 0,
                    "cgroup: the container was made by the \"%s\" cgroup driver, which this "
                    "hutch does not have",
                    n);
  if (drv->load(j, out, err) < 0)
    return -1;
  (*out)->driver = drv;
  (*out)->id = xstrdup(id ? id : "");
  return 0;
}

int cgroup_create(struct cgroup_manager *m, enum cgroup_stage st, pid_t init, herr_t *err)
{
  return m->driver->create ? m->driver->create(m, st, init, err) : 0;
}

int cgroup_clone_into_fd(struct cgroup_manager *m)
{
  return m->driver->clone_into_fd ? m->driver->clone_into_fd(m) : -1;
}

const char *cgroup_mountinfo(const struct cgroup_manager *m)
{
  return m && m->driver->mountinfo ? m->driver->mountinfo(m) : NULL;
}

int cgroup_open_join_fds(struct cgroup_manager *m, bool placed, int *fds, size_t max, size_t *n,
                         herr_t *err)
{
  *n = 0;
  return m->driver->open_join_fds ? m->driver->open_join_fds(m, placed, fds, max, n, err) : 0;
}

int cgroup_enter_self_fds(struct cgroup_manager *m, bool placed, const int *fds, size_t n,
                          herr_t *err)
{
  return m->driver->enter_self_fds ? m->driver->enter_self_fds(m, placed, fds, n, err) : 0;
}

int cgroup_enter(struct cgroup_manager *m, pid_t pid, herr_t *err)
{
  return m->driver->enter ? m->driver->enter(m, pid, err) : cannot(m, "put a process in", err);
}

int cgroup_enter_sub(struct cgroup_manager *m, pid_t pid, const char *sub, herr_t *err)
{
  return m->driver->enter_sub ? m->driver->enter_sub(m, pid, sub, err)
                              : cannot(m, "put a process in", err);
}

const char *cgroup_first_limit(const struct spec_resources *r)
{
  if (r->has_memory)
    return "memory";
  if (r->has_cpu)
    return "cpu";
  if (r->has_pids)
    return "pids";
  if (r->has_block_io)
    return "blockIO";
  if (r->n_hugepage_limits)
    return "hugepageLimits";
  if (r->has_network)
    return "network";
  if (r->n_rdma)
    return "rdma";
  if (r->n_unified)
    return "unified";
  return NULL;
}

/* Does r set anything? (a driver without resources may take an empty one) */
static bool resources_empty(const struct spec_resources *r)
{
  return !r->n_devices && !cgroup_first_limit(r);
}

int cgroup_apply(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err)
{
  if (m->driver->apply)
    return m->driver->apply(m, r, err);
  return resources_empty(r) ? 0 : cannot(m, "set limits in", err);
}

int cgroup_update(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err)
{
  return m->driver->update ? m->driver->update(m, r, err) : cannot(m, "update", err);
}

int cgroup_freeze(struct cgroup_manager *m, bool freeze, herr_t *err)
{
  return m->driver->freeze ? m->driver->freeze(m, freeze, err)
                           : cannot(m, freeze ? "pause" : "resume", err);
}

int cgroup_is_frozen(struct cgroup_manager *m, bool *frozen, herr_t *err)
{
  *frozen = false;
  return m->driver->is_frozen ? m->driver->is_frozen(m, frozen, err) : 0;
}

int cgroup_check_thawed(struct cgroup_manager *m, bool unified, herr_t *err)
{
  return m->driver->check_thawed ? m->driver->check_thawed(m, unified, err) : 0;
}

int cgroup_kill_all(struct cgroup_manager *m, int sig, herr_t *err)
{
  return m->driver->kill_all ? m->driver->kill_all(m, sig, err)
                             : cannot(m, "kill every process of", err);
}

int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err)
{
  *pids = NULL;
  *n = 0;
  return m->driver->pids ? m->driver->pids(m, pids, n, err) : cannot(m, "list processes of", err);
}

int cgroup_stats(struct cgroup_manager *m, json_t **out, herr_t *err)
{
  *out = NULL;
  return m->driver->stats ? m->driver->stats(m, out, err) : cannot(m, "read statistics of", err);
}

int cgroup_oom_fd(struct cgroup_manager *m, herr_t *err)
{
  return m->driver->oom_fd ? m->driver->oom_fd(m, err) : -1;
}

int cgroup_oom_check(struct cgroup_manager *m, int fd, bool *oom, herr_t *err)
{
  *oom = false;
  return m->driver->oom_check ? m->driver->oom_check(m, fd, oom, err) : 0;
}

uint64_t cgroup_oom_kills(struct cgroup_manager *m)
{
  return m->driver->oom_kills ? m->driver->oom_kills(m) : 0;
}

int cgroup_destroy(struct cgroup_manager *m, herr_t *err)
{
  return m->driver->destroy ? m->driver->destroy(m, err) : 0;
}

void cgroup_claim_leaf(struct cgroup_manager *m)
{
  if (m->driver->claim_leaf)
    m->driver->claim_leaf(m);
}

bool cgroup_owned(const struct cgroup_manager *m)
{
  return m->driver->owned && m->driver->owned(m);
}

bool cgroup_existed(const struct cgroup_manager *m)
{
  return m->driver->existed && m->driver->existed(m);
}

bool cgroup_same(const struct cgroup_manager *a, const struct cgroup_manager *b)
{
  return a->driver == b->driver && a->driver->same && a->driver->same(a, b);
}

void cgroup_adopt(struct cgroup_manager *m, const struct cgroup_manager *other)
{
  if (m->driver == other->driver && m->driver->adopt)
    m->driver->adopt(m, other);
}

const char *cgroup_mode_name(const struct cgroup_manager *m)
{
  return m->driver->mode_name ? m->driver->mode_name(m) : "none";
}

const char *cgroup_unwritable_dir(const struct cgroup_manager *m)
{
  return m->driver->unwritable_dir ? m->driver->unwritable_dir(m) : NULL;
}

const char *cgroup_dir(const struct cgroup_manager *m, const char *controller)
{
  return m->driver->dir ? m->driver->dir(m, controller) : NULL;
}

/* Driver-independent: validate checks it once, the drivers use the name. */
int cgroup_hugepage_name(const char *page_size, char **out, herr_t *err)
{
  const char *p = page_size;
  if (!p || !isdigit((unsigned char)*p))
    goto bad;
  while (isdigit((unsigned char)*p))
    p++;
  if ((p[0] == 'K' || p[0] == 'M' || p[0] == 'G') && p[1] == 'B' && p[2] == '\0') {
    *out = xstrdup(page_size);
    return 0;
  }
  if ((p[0] == 'k' || p[0] == 'm' || p[0] == 'g') && p[1] == 'B' && p[2] == '\0') {
    *out = xasprintf("%.*s%cB", (int)(p - page_size), page_size, toupper((unsigned char)p[0]));
    return 0;
  }
bad:
  return herr_set(
      err, 0, "linux.resources.hugepageLimits: pageSize \"%s\": expected a size like 2MB or 1GB",
      page_size ? page_size : "");
}
