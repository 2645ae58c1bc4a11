/* The cgroupfs driver's table (cgroup.h): each operation takes the shared
 * struct cgroup_manager and calls the driver's own function on the struct
 * cgfs it starts. */
#include "libcontainer/cgroups/fs/internal.h"

static int fs_new(const struct cgroup_config *cfg, struct cgroup_manager **out, herr_t *err)
{
  struct cgfs *m = NULL;
  if (cgfs_new(cfg->path, cfg->id, &m, err) < 0)
    return -1;
  const struct spec *s = cfg->spec;
  if (s && s->has_linux && !cfg->rootless)
    cgfs_init_devices(m);
  m->split_create = cfg->init_runs_early;
  *out = &m->base;
  return 0;
}

static int fs_load(json_t *j, struct cgroup_manager **out, herr_t *err)
{
  struct cgfs *m = NULL;
  if (cgfs_from_json(j, &m, err) < 0)
    return -1;
  *out = &m->base;
  return 0;
}

static json_t *fs_save(const struct cgroup_manager *m)
{
  return cgfs_to_json(cgfs_of_const(m));
}

static void fs_free(struct cgroup_manager *m)
{
  cgfs_free(cgfs_of(m));
}

/* Before the clone: the unified hierarchy (clone3 places the init there),
 * and the v1 ones too unless the init starts its setup early, when they
 * are made after the clone, while it runs. */
static int fs_create(struct cgroup_manager *m, enum cgroup_stage st, pid_t init, herr_t *err)
{
  (void)init; /* the init joins by itself (enter_self_fds) */
  struct cgfs *fs = cgfs_of(m);
  if (st == CGROUP_BEFORE_CLONE)
    return fs->split_create ? cgfs_create_unified(fs, err) : cgfs_create(fs, err);
  return fs->split_create ? cgfs_create_legacy(fs, err) : 0;
}

static int fs_clone_into_fd(struct cgroup_manager *m)
{
  return cgfs_clone_into_fd(cgfs_of(m));
}

static int fs_open_join_fds(struct cgroup_manager *m, bool placed, int *fds, size_t max, size_t *n,
                            herr_t *err)
{
  return cgfs_open_join_fds(cgfs_of(m), placed, fds, max, n, err);
}

static int fs_enter_self_fds(struct cgroup_manager *m, bool placed, const int *fds, size_t n,
                             herr_t *err)
{
  return cgfs_enter_self_fds(cgfs_of(m), placed, fds, n, err);
}

static int fs_enter(struct cgroup_manager *m, pid_t pid, herr_t *err)
{
  return cgfs_enter(cgfs_of(m), pid, err);
}

static int fs_enter_sub(struct cgroup_manager *m, pid_t pid, const char *sub, herr_t *err)
{
  return cgfs_enter_sub(cgfs_of(m), pid, sub, err);
}

/* create and update write the same files. */
static int fs_apply(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err)
{
  return cgfs_apply(cgfs_of(m), r, err);
}

static int fs_freeze(struct cgroup_manager *m, bool freeze, herr_t *err)
{
  return cgfs_freeze(cgfs_of(m), freeze, err);
}

static int fs_check_thawed(struct cgroup_manager *m, bool unified, herr_t *err)
{
  return cgfs_check_thawed(cgfs_of(m), unified, err);
}

static int fs_is_frozen(struct cgroup_manager *m, bool *frozen, herr_t *err)
{
  return cgfs_is_frozen(cgfs_of(m), frozen, err);
}

static int fs_kill_all(struct cgroup_manager *m, int sig, herr_t *err)
{
  return cgfs_kill_all(cgfs_of(m), sig, err);
}

static int fs_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err)
{
  return cgfs_pids(cgfs_of(m), pids, n, err);
}

static int fs_stats(struct cgroup_manager *m, json_t **out, herr_t *err)
{
  return cgfs_stats(cgfs_of(m), out, err);
}

static int fs_oom_fd(struct cgroup_manager *m, herr_t *err)
{
  return cgfs_oom_fd(cgfs_of(m), err);
}

static int fs_oom_check(struct cgroup_manager *m, int fd, bool *oom, herr_t *err)
{
  return cgfs_oom_check(cgfs_of(m), fd, oom, err);
}

static uint64_t fs_oom_kills(struct cgroup_manager *m)
{
  return cgfs_oom_kills(cgfs_of(m));
}

static int fs_destroy(struct cgroup_manager *m, herr_t *err)
{
  return cgfs_destroy(cgfs_of(m), err);
}

static void fs_claim_leaf(struct cgroup_manager *m)
{
  cgfs_claim_leaf(cgfs_of(m));
}

static bool fs_owned(const struct cgroup_manager *m)
{
  return cgfs_owned(cgfs_of_const(m));
}

static bool fs_existed(const struct cgroup_manager *m)
{
  return cgfs_existed(cgfs_of_const(m));
}

static bool fs_same(const struct cgroup_manager *a, const struct cgroup_manager *b)
{
  return cgfs_same(cgfs_of_const(a), cgfs_of_const(b));
}

static void fs_adopt(struct cgroup_manager *m, const struct cgroup_manager *other)
{
  cgfs_adopt(cgfs_of(m), cgfs_of_const(other));
}

static const char *fs_dir(const struct cgroup_manager *m, const char *controller)
{
  return cgfs_dir(cgfs_of_const(m), controller);
}

static const char *fs_mode_name(const struct cgroup_manager *m)
{
  return cgfs_mode_name(cgfs_of_const(m));
}

static const char *fs_mountinfo(const struct cgroup_manager *m)
{
  return cgfs_of_const(m)->mountinfo;
}

static const char *fs_unwritable_dir(const struct cgroup_manager *m)
{
  return cgfs_unwritable_dir(cgfs_of_const(m));
}

const struct cgroup_driver cgroup_driver_fs = {
    .name = "cgroupfs",
    .option = NULL,
    .new = fs_new,
    .load = fs_load,
    .save = fs_save,
    .free = fs_free,
    .create = fs_create,
    .clone_into_fd = fs_clone_into_fd,
    .open_join_fds = fs_open_join_fds,
    .enter_self_fds = fs_enter_self_fds,
    .enter = fs_enter,
    .enter_sub = fs_enter_sub,
    .apply = fs_apply,
    .update = fs_apply,
    .freeze = fs_freeze,
    .is_frozen = fs_is_frozen,
    .check_thawed = fs_check_thawed,
    .kill_all = fs_kill_all,
    .pids = fs_pids,
    .stats = fs_stats,
    .oom_fd = fs_oom_fd,
    .oom_check = fs_oom_check,
    .oom_kills = fs_oom_kills,
    .destroy = fs_destroy,
    .claim_leaf = fs_claim_leaf,
    .owned = fs_owned,
    .existed = fs_existed,
    .same = fs_same,
    .adopt = fs_adopt,
    .dir = fs_dir,
    .mode_name = fs_mode_name,
    .mountinfo = fs_mountinfo,
    .unwritable_dir = fs_unwritable_dir,
};
