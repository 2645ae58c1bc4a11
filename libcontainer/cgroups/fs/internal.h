/* The cgroupfs driver's internals, shared by its files (not a public
 * interface: everything outside cgroups/fs/ goes through cgroup.h, which
 * reaches this driver through cgroup_driver_fs in driver.c).
 *
 * A manager is a list of hierarchies (one per v1 mount, plus the unified
 * cgroup2 mount where there is one), each with the container's directory in
 * it.  Every controller is located in exactly one place: a v1 hierarchy that
 * has it mounted, or else the unified hierarchy when its cgroup.controllers
 * lists it.  Resource code asks cg_locate("memory") and writes the v1 or v2
 * files accordingly, so legacy, hybrid and unified hosts share one code path. */
#ifndef HUTCH_CGROUP_INTERNAL_H
#define HUTCH_CGROUP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libcontainer/cgroups/cgroup.h"
#include "spec/base/error.h"

enum cg_mode { CG_MODE_LEGACY, CG_MODE_HYBRID, CG_MODE_UNIFIED };

struct cg_hier {
  char *key;         /* "memory", "cpu,cpuacct", "name=systemd"; "unified" for cgroup2 */
  char *mnt;         /* mount point */
  char *dir;         /* the container's cgroup directory in this hierarchy */
  bool v2;           /* the unified hierarchy */
  int created;       /* directory levels this manager created (leaf upwards) */
  char *controllers; /* v2 only: the mount root's cgroup.controllers, space separated */
};

struct cgfs {
  struct cgroup_manager
      base; /* first: a struct cgroup_manager * of this driver is a struct cgfs * */
  enum cg_mode mode;
  char *path; /* the resolved cgroupsPath (for messages) */
  struct cg_hier *h;
  size_t n_h;
  bool dev_defaults_pending; /* set by cgroup_init_devices: apply device rules once */
  uint64_t oom_seen;         /* v2: memory.events oom_kill last seen */
  int clone_fd;              /* O_PATH|O_DIRECTORY fd of the unified dir (pure v2), or -1 */
  char *mountinfo;           /* /proc/self/mountinfo as cgfs_new read it, or NULL */
  bool split_create;         /* cfg.init_runs_early: the v1 dirs after the clone */
};

/* ---- path.c: host probing and cgroupsPath resolution ------------------ */

struct cg_mount {
  char *key; /* as struct cg_hier.key */
  char *mnt;
  char *root; /* the mount's root within its hierarchy ("/" normally) */
  bool v2;
};

/* Parse /proc/self/mountinfo text into the cgroup mounts under /sys/fs/cgroup
 * (one per hierarchy, the first seen). */
int cg_parse_mounts(const char *mountinfo, struct cg_mount **out, size_t *n, herr_t *err);
void cg_mounts_free(struct cg_mount *m, size_t n);
/* The path of the process's cgroup for hierarchy `key` ("unified" matches the
 * "0::" line) in /proc/<pid>/cgroup text `text`; NULL if absent. malloc'd. */
char *cg_own_path(const char *text, const char *key);
/* Check and normalise a cgroupsPath: "" or NULL -> "/<id>", a systemd
 * "slice:prefix:name" is an error, ".." components are an error, duplicate
 * slashes are removed.  Result is absolute ("/a/b") or relative ("a/b"). */
int cg_normalize_path(const char *cgroups_path, const char *id, char **out, herr_t *err);
/* The directory for a normalised path in a hierarchy mounted at mnt with
 * mount root `root`, where the runtime's own cgroup is `own` (for relative
 * paths). malloc'd. */
char *cg_resolve_dir(const char *mnt, const char *root, const char *own, const char *path);
/* Does comma-separated `key` name controller `ctrl`? */
bool cg_key_has(const char *key, const char *ctrl);
/* Does space-separated `list` contain `word`? */
bool cg_word_in(const char *list, const char *word);

static inline struct cgfs *cgfs_of(struct cgroup_manager *m)
{
  return (struct cgfs *)m;
}

static inline const struct cgfs *cgfs_of_const(const struct cgroup_manager *m)
{
  return (const struct cgfs *)m;
}

/* ---- manager.c: the driver's operations (see cgroup.h for each) ------- */

/* cgroups_path NULL: "/<id>" as runc does; relative: under the runtime's own cgroup. */
/* shared.c: one cgroup for several containers (cgroup_owned ... cgroup_adopt). */
bool cgfs_owned(const struct cgfs *m);
bool cgfs_existed(const struct cgfs *m);
bool cgfs_same(const struct cgfs *a, const struct cgfs *b);
void cgfs_adopt(struct cgfs *m, const struct cgfs *other);
int cgfs_new(const char *cgroups_path, const char *id, struct cgfs **out, herr_t *err);
void cgfs_free(struct cgfs *m);
json_t *cgfs_to_json(const struct cgfs *m);
int cgfs_from_json(json_t *j, struct cgfs **out, herr_t *err);
/* Every hierarchy; or in two parts: the unified hierarchy (needed before
 * clone3 places the init there) and the v1 hierarchies (made while the
 * init starts its setup).  A failure of either removes everything made. */
int cgfs_create(struct cgfs *m, herr_t *err);
int cgfs_create_unified(struct cgfs *m, herr_t *err);
int cgfs_create_legacy(struct cgfs *m, herr_t *err);
int cgfs_clone_into_fd(struct cgfs *m);
int cgfs_enter(struct cgfs *m, pid_t pid, herr_t *err);
int cgfs_enter_sub(struct cgfs *m, pid_t pid, const char *sub, herr_t *err);
/* Called by a single-threaded process (the container init) to join the
 * cgroup itself: v1 hierarchies through `tasks`, much cheaper than a pid
 * written by another process; unified_placed: clone3(CLONE_INTO_CGROUP)
 * already placed it in the unified hierarchy. */
int cgfs_enter_self(struct cgfs *m, bool unified_placed, herr_t *err);
/* The same in two halves: the parent opens the files the init writes "0" to
 * (in hierarchy order; at most max), the init writes through them (the
 * opens, ~15 us each, leave the init's critical path). */
int cgfs_open_join_fds(struct cgfs *m, bool unified_placed, int *fds, size_t max, size_t *n,
                       herr_t *err);
int cgfs_enter_self_fds(struct cgfs *m, bool unified_placed, const int *fds, size_t n, herr_t *err);
int cgfs_apply(struct cgfs *m, const struct spec_resources *r, herr_t *err);
/* Make the first cgfs_apply install the device rules (deny by default,
 * runc's default devices allowed) even when the config has none. */
void cgfs_init_devices(struct cgfs *m);
int cgfs_pids(struct cgfs *m, pid_t **pids, size_t *n, herr_t *err);
int cgfs_destroy(struct cgfs *m, herr_t *err);
void cgfs_claim_leaf(struct cgfs *m);

/* ---- delegate.c --------------------------------------------------------- */

/* Rootless: the first directory we cannot make or write (cgroup.h). */
const char *cgfs_unwritable_dir(const struct cgfs *m);

/* ---- freezer.c ---------------------------------------------------------- */

int cgfs_freeze(struct cgfs *m, bool freeze, herr_t *err);
int cgfs_is_frozen(struct cgfs *m, bool *frozen, herr_t *err);
int cgfs_check_thawed(struct cgfs *m, bool unified, herr_t *err);
int cgfs_kill_all(struct cgfs *m, int sig, herr_t *err);

/* ---- stats.c: statistics, OOM, paths ----------------------------------- */

const char *cgfs_mode_name(const struct cgfs *m);
const char *cgfs_dir(const struct cgfs *m, const char *controller);
int cgfs_stats(struct cgfs *m, json_t **out, herr_t *err);
int cgfs_oom_fd(struct cgfs *m, herr_t *err);
int cgfs_oom_check(struct cgfs *m, int fd, bool *oom, herr_t *err);
uint64_t cgfs_oom_kills(struct cgfs *m);

/* ---- manager.c: helpers ------------------------------------------------- */

/* Where a controller lives: its hierarchy, or NULL when not available. */
struct cg_hier *cg_locate(struct cgfs *m, const char *ctrl);
/* The unified hierarchy, or NULL. */
struct cg_hier *cg_unified(struct cgfs *m);
/* The hierarchy to read the process list from (freezer, pids, or any). */
struct cg_hier *cg_primary(struct cgfs *m);
/* On a v2 hierarchy, make sure `ctrl` is enabled in the subtree_control of
 * every ancestor of the container's directory. */
int cg2_enable_controller(struct cg_hier *h, const char *ctrl, herr_t *err);

/* ---- cgfile.c: reading and writing cgroup files ----------------------- */

/* Write `value` to dir/file.  Errors name `field` (the config field, may be
 * NULL) and the file: "linux.resources.memory.limit: write 100 to
 * memory.limit_in_bytes: Device or resource busy".  A missing file is
 * "FIELD: not supported by this kernel (FILE does not exist)". */
int cg_write(const char *dir, const char *file, const char *value, const char *field, herr_t *err);
int cg_writef(const char *dir, const char *file, const char *field, herr_t *err, const char *fmt,
              ...) __attribute__((format(printf, 5, 6)));
bool cg_file_exists(const char *dir, const char *file);
/* Read dir/file whole (trailing newline kept). */
int cg_read(const char *dir, const char *file, char **out, herr_t *err);
/* Read a single integer ("max" -> -1). */
int cg_read_int(const char *dir, const char *file, int64_t *out, herr_t *err);
/* Value of `key` in a "key value\n" file (memory.stat, cgroup.events). */
int cg_read_keyed(const char *dir, const char *file, const char *key, int64_t *out, herr_t *err);
/* The pids in dir/cgroup.procs and every sub-cgroup's. */
int cg_read_procs(const char *dir, bool recursive, pid_t **pids, size_t *n, herr_t *err);
/* rmdir dir and its sub-directories (depth first), retrying while busy. */
int cg_rmdir_tree(const char *dir, herr_t *err);

/* ---- resources.c, v1_resources.c, v2_resources.c ---------------------- */

int cg_apply_resources(struct cgfs *m, const struct spec_resources *r, herr_t *err);
int cg1_memory(struct cg_hier *h, const struct spec_memory *mem, herr_t *err);
int cg2_memory(struct cg_hier *h, const struct spec_memory *mem, herr_t *err);
int cg1_cpu(struct cg_hier *h, const struct spec_cpu *cpu, herr_t *err);
int cg2_cpu(struct cg_hier *h, const struct spec_cpu *cpu, herr_t *err);
int cg_cpuset(struct cg_hier *h, const struct spec_cpu *cpu, herr_t *err);
int cg_pids(struct cg_hier *h, int64_t limit, herr_t *err);
int cg1_blkio(struct cg_hier *h, const struct spec_block_io *b, herr_t *err);
int cg2_io(struct cg_hier *h, const struct spec_block_io *b, herr_t *err);
int cg_hugetlb(struct cg_hier *h, const struct spec_hugepage_limit *l, size_t n, herr_t *err);
int cg_rdma(struct cg_hier *h, const struct spec_rdma *r, size_t n, herr_t *err);
int cg1_net_cls(struct cg_hier *h, const struct spec_network *net, herr_t *err);
int cg1_net_prio(struct cg_hier *h, const struct spec_network *net, herr_t *err);
int cg1_devices(struct cg_hier *h, const struct spec_device_cgroup *d, size_t n, herr_t *err);
int cg2_unified(struct cgfs *m, const struct spec_kv *kv, size_t n, herr_t *err);

/* runc's default device rules (allow), malloc'd array; access strings are static. */
size_t cg_default_devices(struct spec_device_cgroup **out);

/* Pure conversions (unit tested). */
uint64_t cg_shares_to_weight(uint64_t shares);   /* runc: 1 + (shares-2)*9999/262142 */
uint64_t cg_blkio_to_io_weight(uint64_t weight); /* runc: 1 + (w-10)*9999/990 */
/* v2 swap.max from the OCI swap (memory+swap) and limit; -1 = max, -2 = leave. */
int cg_swap_v2(int64_t swap, int64_t limit, bool has_limit, int64_t *out, herr_t *err);

/* ---- devices_bpf.c ---------------------------------------------------- */

struct bpf_insn;
/* Build the BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (last match
 * wins; default deny once a deny-all rule is seen, else allow). */
int cg_bpf_devices_program(const struct spec_device_cgroup *d, size_t n, struct bpf_insn **out,
                           size_t *n_insns, herr_t *err);
/* Load it and attach it to the cgroup directory, replacing earlier programs
 * that hutch attached there. */
int cg_bpf_devices_apply(const char *dir, const struct spec_device_cgroup *d, size_t n,
                         herr_t *err);

/* ---- stats.c ---------------------------------------------------------- */

int cg_collect_stats(struct cgfs *m, json_t **out, herr_t *err);

#endif
