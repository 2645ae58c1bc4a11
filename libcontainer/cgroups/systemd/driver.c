/* The systemd cgroup driver (--systemd-cgroup), as runc's: the container's
 * cgroup is a transient scope (or slice) that systemd makes, with
 * Delegate=yes and the resource properties systemd knows; everything else
 * is done by a cgroupfs manager on the scope's directory: the limits
 * systemd has no property for (and, as runc does, the others again), the
 * freezer, kill, pids, stats, exec's join.
 *
 * create (parent):  new()   parse cgroupsPath into unit and path, connect
 *                           to the bus (before the clone: an unreachable bus
 *                           fails with nothing made); rootless: the user's
 *                           manager on the user bus, the path below that
 *                           manager's own cgroup (user@UID.service)
 *                   create(AFTER_CLONE, init)  StartTransientUnit with
 *                           PIDs=[init], wait for its job; systemd has put
 *                           the init in the scope, so it joins nothing there
 *                           (v1 hierarchies of a hybrid host: as cgroupfs)
 *                   apply() the cgroupfs files
 * update:           SetUnitProperties, then the files
 * delete:           kill what is left, StopUnit (systemd removes the
 *                   cgroup), then what cgroupfs made (v1 dirs) */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/cgroups/systemd/dbus.h"
#include "libcontainer/cgroups/systemd/properties.h"
#include "libcontainer/cgroups/systemd/unit.h"
#include "spec/base/log.h"
#include "spec/base/util.h"

struct sdm {
  struct cgroup_manager base; /* first: a manager of this driver is a struct sdm */
  struct cgroup_manager *fs;  /* cgroupfs on the unit's directory */
  struct sd_unit unit;
  bool user;           /* the calling user's systemd instance (rootless) */
  bool started;        /* this command started the unit */
  bool owned;          /* the unit (if any) is this container's: destroy may stop it */
  struct sd_conn *bus; /* opened by new(), or on first use */
};

static struct sdm *sdm_of(struct cgroup_manager *m)
{
  return (struct sdm *)m;
}

static const struct sdm *sdm_of_const(const struct cgroup_manager *m)
{
  return (const struct sdm *)m;
}

static int bus(struct sdm *s, herr_t *err)
{
  return s->bus ? 0 : sd_conn_open(s->user, &s->bus, err);
}

/* The cgroupfs manager of the unit's directory. */
static int fs_new_at(struct sdm *s, const struct cgroup_config *cfg, herr_t *err)
{
  struct cgroup_config fc = *cfg;
  fc.path = s->unit.path;
  fc.init_runs_early = true; /* nothing to make before the clone */
  return cgroup_manager_new(&cgroup_driver_fs, &fc, &s->fs, err);
}

/* Rootless: the unit goes to the user's own manager, below its cgroup
 * (user@UID.service, delegated to the user by the system manager); only
 * the unified hierarchy is delegated, so a host with v1 hierarchies is
 * refused, as runc does. */
static int user_unit(struct sdm *s, herr_t *err)
{
  _cleanup_free_ char *root = NULL;
  if (sd_manager_cgroup(s->bus, &root, err) < 0 || sd_unit_under(&s->unit, root, err) < 0)
    return -1;
  return 0;
}

static int user_check_mode(struct sdm *s, herr_t *err)
{
  const char *mode = cgroup_mode_name(s->fs);
  if (strcmp(mode, "unified") == 0)
    return 0;
  return herr_set(err, EOPNOTSUPP,
                  "--systemd-cgroup: rootless needs a pure cgroup v2 host (this one is %s): a "
                  "user's systemd can only delegate the unified hierarchy",
                  mode);
}

static int sd_new(const struct cgroup_config *cfg, struct cgroup_manager **out, herr_t *err)
{
  struct sdm *s = xcalloc(1, sizeof(*s));
  s->user = cfg->rootless;
  /* The bus first: a user without one gets that error, whatever else. */
  if (sd_unit_parse(cfg->path, cfg->id, s->user ? "user.slice" : "system.slice", &s->unit, err) <
          0 ||
      bus(s, err) < 0 || (s->user && user_unit(s, err) < 0) || fs_new_at(s, cfg, err) < 0 ||
      (s->user && user_check_mode(s, err) < 0)) {
    cgroup_manager_free(s->fs);
    sd_conn_close(s->bus);
    sd_unit_clear(&s->unit);
    free(s);
    return -1;
  }
  *out = &s->base;
  return 0;
}

static int sd_load(json_t *j, struct cgroup_manager **out, herr_t *err)
{
  const char *unit = NULL, *slice = NULL, *path = NULL;
  int user = 0, is_slice = 0;
  json_t *fs = NULL;
  if (json_unpack(j, "{s:s, s:s, s:s, s:b, s:b, s:o}", "unit", &unit, "slice", &slice, "path",
                  &path, "user", &user, "is_slice", &is_slice, "fs", &fs) < 0)
    return herr_set(err, 0, "cgroup: malformed systemd cgroup state");
  struct sdm *s = xcalloc(1, sizeof(*s));
  if (cgroup_manager_from_json(fs, "", &s->fs, err) < 0) {
    free(s);
    return -1;
  }
  s->unit.unit = xstrdup(unit);
  s->unit.slice = xstrdup(slice);
  s->unit.path = xstrdup(path);
  s->unit.is_slice = is_slice;
  s->user = user;
  s->owned = true; /* saved by the create that made it */
  *out = &s->base;
  return 0;
}

static json_t *sd_save(const struct cgroup_manager *m)
{
  const struct sdm *s = sdm_of_const(m);
  return json_pack("{s:s, s:s, s:s, s:b, s:b, s:o}", "unit", s->unit.unit, "slice", s->unit.slice,
                   "path", s->unit.path, "user", s->user, "is_slice", s->unit.is_slice, "fs",
                   cgroup_manager_to_json(s->fs));
}

static void sd_free(struct cgroup_manager *m)
{
  struct sdm *s = sdm_of(m);
  cgroup_manager_free(s->fs);
  sd_conn_close(s->bus);
  sd_unit_clear(&s->unit);
  free(s);
}

/* The unit's properties: what every container scope has, the resources,
 * then the config's org.systemd.property.* annotations (they win). */
static int unit_props(struct sdm *s, pid_t init, struct sd_props *p, herr_t *err)
{
  const char *id = s->base.id ? s->base.id : "";
  _cleanup_free_ char *desc = xasprintf("hutch container %s", id);
  sd_props_add_string(p, "Description", desc);
  if (!s->unit.is_slice) {
    sd_props_add_string(p, "Slice", s->unit.slice);
    struct sd_prop *e = sd_props_add(p, "PIDs", SD_PROP_PIDS);
    e->pids = xmalloc(sizeof(uint32_t));
    e->pids[0] = (uint32_t)init;
    e->n = 1;
    sd_props_add_bool(p, "Delegate", true);
  }
  sd_props_add_bool(p, "DefaultDependencies", false);
  sd_props_add_bool(p, "MemoryAccounting", true);
  sd_props_add_bool(p, "CPUAccounting", true);
  sd_props_add_bool(p, "IOAccounting", true);
  sd_props_add_bool(p, "TasksAccounting", true);
  const struct spec *sp = s->base.spec;
  if (sp && sp->has_linux && sp->linux_.has_resources &&
      sd_props_from_resources(&sp->linux_.resources, p, err) < 0)
    return -1;
  if (sp && sd_props_from_annotations(sp->annotations, sp->n_annotations, p, err) < 0)
    return -1;
  return 0;
}

static int sd_create(struct cgroup_manager *m, enum cgroup_stage st, pid_t init, herr_t *err)
{
  struct sdm *s = sdm_of(m);
  if (st == CGROUP_BEFORE_CLONE)
    return 0; /* a scope needs its first process */
  struct sd_props p = {0};
  int r = unit_props(s, init, &p, err);
  if (r == 0 && (r = bus(s, err)) == 0) {
    /* From here the unit may be ours, unless systemd says the name is
     * taken: then it is someone else's, and a failed create must leave it
     * (and its processes) alone. */
    s->owned = true;
    if ((r = sd_unit_start(s->bus, s->unit.unit, &p, err)) == 0)
      s->started = true;
    else if ((*err)->errnum == EEXIST)
      s->owned = false;
  }
  sd_props_clear(&p);
  if (r < 0)
    return -1;
  /* v1 hierarchies of a hybrid host (systemd only makes those it manages). */
  return cgroup_create(s->fs, CGROUP_AFTER_CLONE, init, err);
}

/* systemd put the init in the unified hierarchy: it joins only v1 ones. */
static int sd_open_join_fds(struct cgroup_manager *m, bool placed, int *fds, size_t max, size_t *n,
                            herr_t *err)
{
  (void)placed;
  return cgroup_open_join_fds(sdm_of(m)->fs, true, fds, max, n, err);
}

static int sd_enter_self_fds(struct cgroup_manager *m, bool placed, const int *fds, size_t n,
                             herr_t *err)
{
  (void)placed;
  return cgroup_enter_self_fds(sdm_of(m)->fs, true, fds, n, err);
}

static int sd_enter(struct cgroup_manager *m, pid_t pid, herr_t *err)
{
  return cgroup_enter(sdm_of(m)->fs, pid, err);
}

static int sd_enter_sub(struct cgroup_manager *m, pid_t pid, const char *sub, herr_t *err)
{
  return cgroup_enter_sub(sdm_of(m)->fs, pid, sub, err);
}

static int sd_apply(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err)
{
  return cgroup_apply(sdm_of(m)->fs, r, err);
}

/* Tell systemd first, so that a daemon-reload keeps the new values. */
/* On a v1 devices hierarchy (a hybrid host) systemd applies a unit's
 * settings again after SetUnitProperties, and a unit without DevicePolicy
 * then allows every device: put the container's rules back at once, the
 * way create installed them (a cgroupfs manager made from the config writes
 * them with the defaults).  The unified hierarchy's eBPF program is ours and
 * systemd leaves it alone. */
static int reapply_devices(struct sdm *s, herr_t *err)
{
  const struct spec *sp = s->base.spec;
  const char *dir = cgroup_dir(s->fs, "devices");
  if (s->user || !sp || !sp->has_linux || !dir || !*dir)
    return 0;
  struct cgroup_config cfg = {.id = s->base.id, .path = s->unit.path, .spec = sp};
  struct cgroup_manager *fresh = NULL;
  struct spec_resources devs = {.devices = sp->linux_.resources.devices,
                                .n_devices = sp->linux_.resources.n_devices};
  int r = cgroup_manager_new(&cgroup_driver_fs, &cfg, &fresh, err);
  if (r == 0)
    r = cgroup_apply(fresh, &devs, err);
  cgroup_manager_free(fresh);
  return r < 0 ? herr_wrap(err, "--systemd-cgroup: restore the device rules systemd reset") : 0;
}

static int sd_update(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err)
{
  struct sdm *s = sdm_of(m);
  struct sd_props p = {0};
  int ret = sd_props_from_resources(r, &p, err);
  bool set = ret == 0 && p.n > 0;
  if (set && ((ret = bus(s, err)) == 0))
    ret = sd_unit_set_properties(s->bus, s->unit.unit, &p, err);
  sd_props_clear(&p);
  if (ret < 0 || (set && reapply_devices(s, err) < 0))
    return -1;
  return cgroup_update(s->fs, r, err);
}

static int sd_freeze(struct cgroup_manager *m, bool freeze, herr_t *err)
{
  return cgroup_freeze(sdm_of(m)->fs, freeze, err);
}

static int sd_is_frozen(struct cgroup_manager *m, bool *frozen, herr_t *err)
{
  return cgroup_is_frozen(sdm_of(m)->fs, frozen, err);
}

static int sd_kill_all(struct cgroup_manager *m, int sig, herr_t *err)
{
  return cgroup_kill_all(sdm_of(m)->fs, sig, err);
}

static int sd_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err)
{
  return cgroup_pids(sdm_of(m)->fs, pids, n, err);
}

static int sd_stats(struct cgroup_manager *m, json_t **out, herr_t *err)
{
  return cgroup_stats(sdm_of(m)->fs, out, err);
}

static int sd_oom_fd(struct cgroup_manager *m, herr_t *err)
{
  return cgroup_oom_fd(sdm_of(m)->fs, err);
}

static int sd_oom_check(struct cgroup_manager *m, int fd, bool *oom, herr_t *err)
{
  return cgroup_oom_check(sdm_of(m)->fs, fd, oom, err);
}

static uint64_t sd_oom_kills(struct cgroup_manager *m)
{
  return cgroup_oom_kills(sdm_of(m)->fs);
}

/* Kill what is left first: stopping a scope with live processes would send
 * SIGTERM and wait up to its TimeoutStopSec (90 s by default). */
static int sd_destroy(struct cgroup_manager *m, herr_t *err)
{
  struct sdm *s = sdm_of(m);
  if (!s->owned)
    return 0; /* a create that made no unit: the name may be another's */
  pid_t *pids = NULL;
  size_t n = 0;
  herr_t e = NULL;
  if (cgroup_pids(s->fs, &pids, &n, &e) == 0 && n > 0 && cgroup_kill_all(s->fs, SIGKILL, &e) < 0)
    hlog_debug("cgroup: %s", e->msg);
  herr_free(&e);
  free(pids);
  if (bus(s, err) < 0 || sd_unit_stop(s->bus, s->unit.unit, err) < 0)
    return -1;
  return cgroup_destroy(s->fs, err);
}

/* A create that died before it said what it made: delete stops the unit
 * anyway; cgroupfs claims the v1 dirs that exist. */
static void sd_claim_leaf(struct cgroup_manager *m)
{
  cgroup_claim_leaf(sdm_of(m)->fs);
}

/* The unit is ours: a live unit of that name makes create fail (systemd
 * refuses to start it twice), so a manager exists only for a unit its
 * container started.  Two share it only when an old --keep container's unit
 * name was reused by a new one: delete of the old must not stop it. */
static bool sd_owned(const struct cgroup_manager *m)
{
  (void)m;
  return true;
}

static bool sd_same(const struct cgroup_manager *a, const struct cgroup_manager *b)
{
  const struct sdm *x = sdm_of_const(a), *y = sdm_of_const(b);
  return x->user == y->user && strcmp(x->unit.unit, y->unit.unit) == 0;
}

static const char *sd_dir(const struct cgroup_manager *m, const char *controller)
{
  return cgroup_dir(sdm_of_const(m)->fs, controller);
}

static const char *sd_mode_name(const struct cgroup_manager *m)
{
  return cgroup_mode_name(sdm_of_const(m)->fs);
}

static const char *sd_mountinfo(const struct cgroup_manager *m)
{
  return cgroup_mountinfo(sdm_of_const(m)->fs);
}

const struct cgroup_driver cgroup_driver_systemd = {
    .name = "systemd",
    .option = "--systemd-cgroup",
    .new = sd_new,
    .load = sd_load,
    .save = sd_save,
    .free = sd_free,
    .create = sd_create,
    .open_join_fds = sd_open_join_fds,
    .enter_self_fds = sd_enter_self_fds,
    .enter = sd_enter,
    .enter_sub = sd_enter_sub,
    .apply = sd_apply,
    .update = sd_update,
    .freeze = sd_freeze,
    .is_frozen = sd_is_frozen,
    .kill_all = sd_kill_all,
    .pids = sd_pids,
    .stats = sd_stats,
    .oom_fd = sd_oom_fd,
    .oom_check = sd_oom_check,
    .oom_kills = sd_oom_kills,
    .destroy = sd_destroy,
    .claim_leaf = sd_claim_leaf,
    .owned = sd_owned,
    .same = sd_same,
    .dir = sd_dir,
    .mode_name = sd_mode_name,
    .mountinfo = sd_mountinfo,
};
