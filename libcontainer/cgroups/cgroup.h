/* libcontainer/cgroups/: the container's cgroup, behind one driver interface.
 *
 * A driver is a table of operations (struct cgroup_driver below); a manager
 * (struct cgroup_manager) is one container's cgroup as one driver sees it.
 * Callers use only the cgroup_* functions of this header, which dispatch
 * through the manager's driver (one indirect call, no syscall of their own).
 * Drivers:
 *   "cgroupfs"  cgroups/fs/: writes the cgroup filesystems itself, on legacy
 *               (v1), hybrid and unified (v2) hosts.  The default.
 *   "systemd"   cgroups/systemd/: a transient scope (or slice) made by
 *               systemd over D-Bus, picked with the global --systemd-cgroup;
 *               a cgroupfs manager on the scope's directory does the rest.
 *   "none"      no cgroup (for rootless without cgroups, later): every
 *               operation says "container ID has no cgroup hutch can VERB".
 *
 * The driver is chosen once, at the top: `create` and `run` call
 * cgroup_driver_select(ctx->systemd_cgroup) and hand the driver down in
 * struct create_opts.  Its name is kept in the state ("driver" in
 * state.json's "cgroup" and in cgroup.json), so that every later command
 * (delete, kill, pause, resume, update, events, ps, exec) gets the same
 * driver back from cgroup_manager_from_json without any flag.
 *
 * Who calls what, in order:
 *  parent (container/create.c), before the init exists:
 *    cgroup_manager_new(drv, &cfg, &m)   read the host, resolve the cgroup's
 *                                        place; make nothing yet
 *    cgroup_manager_to_json(m)           -> cgroup.json, before anything is
 *                                        made: a create killed from here on is
 *                                        cleaned up by `delete`
 *    cgroup_create(m, CGROUP_BEFORE_CLONE, 0)   what the init is cloned into
 *                                        (everything, unless
 *                                        cfg.init_runs_early)
 *    cgroup_clone_into_fd(m)             the dir fd for clone3's
 *                                        CLONE_INTO_CGROUP, or -1
 *  parent, after the clone (the init runs its first setup meanwhile):
 *    cgroup_create(m, CGROUP_AFTER_CLONE, init)   the rest (v1 dirs; a
 *                                        systemd scope with PIDs = init)
 *    cgroup_apply(m, resources)          the limits, before any user code
 *    cgroup_open_join_fds(m, placed, fds, max, &n)   the files the init
 *                                        writes to join; they travel with GO
 *  init (process/init.c), on its copy of m from before the clone:
 *    cgroup_enter_self_fds(m, placed, fds, n)   join through those files
 *    cgroup_mountinfo(m)                 the mountinfo text the manager read
 *                                        (rootfs' `cgroup` mounts), or NULL
 *    The init's `cgroup` mount and cgroup namespace need no call: they use
 *    the cgroups the init is in (/proc/self/cgroup) once it has joined.
 *  parent on failure, and `delete`: cgroup_destroy (kill what is left,
 *    remove what this manager made); a create that died before it said
 *    what it made: cgroup_claim_leaf first.
 *  later commands, on cgroup_manager_from_json(state, id):
 *    update: cgroup_update     pause/resume: cgroup_freeze, cgroup_is_frozen
 *    kill --all, delete --force: cgroup_kill_all       ps: cgroup_pids
 *    events: cgroup_stats, cgroup_oom_fd/_check, cgroup_oom_kills (also run)
 *    exec: cgroup_dir (the dirs the exec child joins), cgroup_clone_into_fd,
 *          cgroup_enter (a pid placed after its execve)
 *
 * An operation a driver cannot do is left NULL in its table: the cgroup_*
 * call then fails with "container ID has no cgroup hutch can VERB" (or
 * returns the neutral value where noted). */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct cgroup_driver;

/* The part of a manager every driver shares; a driver's own manager type
 * starts with it (struct cgfs { struct cgroup_manager base; ... }) and
 * allocates it in ->new and ->load. */
struct cgroup_manager {
  const struct cgroup_driver *driver;
  char *id; /* the container's id (for messages); owned, freed by cgroup_manager_free */
  /* The container's config when known, borrowed: cfg->spec for a new
   * manager; the loader of a container sets it for one read back from state
   * (the systemd driver puts the device rules back after systemd reset them). */
  const struct spec *spec;
};

/* What a manager is made from (cgroup_manager_new). */
struct cgroup_config {
  const char *id;   /* the container id */
  const char *path; /* linux.cgroupsPath; NULL or "" for the driver's default */
  /* The config (resources, annotations); may be NULL.  With linux set, the
   * first cgroup_apply installs device rules (deny by default, runc's
   * default devices allowed) even when the config has none; only
   * linux.resources.devices and those defaults decide access (linux.devices
   * only makes nodes, as runc). */
  const struct spec *spec;
  /* The init starts its setup before CGROUP_AFTER_CLONE (it waits for GO
   * before anything that needs its cgroup): make only what clone3 needs
   * before the clone, the rest after it. */
  bool init_runs_early;
  /* hutch runs rootless: no device rules (they need privilege; the user
   * namespace keeps device access to what the user has). */
  bool rootless;
};

enum cgroup_stage {
  CGROUP_BEFORE_CLONE, /* parent, no init yet (pid 0) */
  CGROUP_AFTER_CLONE,  /* parent, the init exists and runs (pid = the init) */
};

/* The operations.  Unless noted: return 0, or -1 with err set.  Any may be
 * NULL where noted (see cgroup_* below for what the caller gets then). */
struct cgroup_driver {
  const char *name;   /* "cgroupfs", "systemd", "none": kept in the state */
  const char *option; /* how a user picks it ("--systemd-cgroup"), NULL: the default */

  /* parent of create: read the host, resolve where the cgroup goes; makes
   * nothing.  Allocates the driver's manager (base.driver/base.id are set
   * by the caller). */
  int (*new)(const struct cgroup_config *cfg, struct cgroup_manager **out, herr_t *err);
  /* any command: the manager from what ->save wrote (the "driver" key is
   * the caller's).  Makes nothing, reads nothing from the host. */
  int (*load)(json_t *j, struct cgroup_manager **out, herr_t *err);
  json_t *(*save)(const struct cgroup_manager *m); /* a JSON object */
  void (*free)(struct cgroup_manager *m);          /* frees m itself, not base.id */

  /* parent of create: make (and for AFTER_CLONE place `init` in) the
   * cgroup; a failure leaves nothing made by this manager.  NULL: nothing
   * to make. */
  int (*create)(struct cgroup_manager *m, enum cgroup_stage st, pid_t init, herr_t *err);
  /* An O_DIRECTORY fd of the cgroup for CLONE_INTO_CGROUP (owned by m), or
   * -1.  Parent of create after BEFORE_CLONE, and exec.  NULL: -1. */
  int (*clone_into_fd)(struct cgroup_manager *m);
  /* parent: open the files the init (single-threaded) writes "0" to, to
   * join what clone3 did not place it in (placed: it is in the unified
   * hierarchy already); at most max, in order.  NULL: none needed. */
  int (*open_join_fds)(struct cgroup_manager *m, bool placed, int *fds, size_t max, size_t *n,
                       herr_t *err);
  /* init: write through them.  NULL: nothing to join. */
  int (*enter_self_fds)(struct cgroup_manager *m, bool placed, const int *fds, size_t n,
                        herr_t *err);
  /* Move another process in (exec's deferred join). */
  int (*enter)(struct cgroup_manager *m, pid_t pid, herr_t *err);
  /* The same into a sub-cgroup (exec --cgroup; see cgroup_enter_sub). */
  int (*enter_sub)(struct cgroup_manager *m, pid_t pid, const char *sub, herr_t *err);
  /* parent of create: the config's limits (systemd: what its unit
   * properties could not say).  NULL: refused when r sets anything. */
  int (*apply)(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err);
  /* `update`: change the limits of a running container. */
  int (*update)(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err);
  int (*freeze)(struct cgroup_manager *m, bool freeze, herr_t *err);
  int (*is_frozen)(struct cgroup_manager *m, bool *frozen, herr_t *err);
  int (*check_thawed)(struct cgroup_manager *m, bool unified, herr_t *err); /* NULL: ok */
  int (*kill_all)(struct cgroup_manager *m, int sig, herr_t *err);
  int (*pids)(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err);
  int (*stats)(struct cgroup_manager *m, json_t **out, herr_t *err);
  /* OOM notification (events); NULL: -1 (none).  oom_kills NULL: 0. */
  int (*oom_fd)(struct cgroup_manager *m, herr_t *err);
  int (*oom_check)(struct cgroup_manager *m, int fd, bool *oom, herr_t *err);
  uint64_t (*oom_kills)(struct cgroup_manager *m);
  /* Kill what is left, remove what this manager made (and nothing else).
   * NULL: nothing to remove. */
  int (*destroy)(struct cgroup_manager *m, herr_t *err);
  void (*claim_leaf)(struct cgroup_manager *m); /* NULL: no-op */
  /* A cgroup several containers use (see cgroup_owned ... cgroup_adopt).
   * NULL: not owned, did not exist, never the same, nothing to adopt. */
  bool (*owned)(const struct cgroup_manager *m);
  bool (*existed)(const struct cgroup_manager *m);
  bool (*same)(const struct cgroup_manager *a, const struct cgroup_manager *b);
  void (*adopt)(struct cgroup_manager *m, const struct cgroup_manager *other);
  /* The container's directory for a v1 controller ("memory",
   * "name=systemd") or "" for the unified hierarchy; NULL when none.
   * Exec joins these; tests read files in them.  NULL op: NULL. */
  const char *(*dir)(const struct cgroup_manager *m, const char *controller);
  const char *(*mode_name)(const struct cgroup_manager *m); /* NULL op: "none" */
  const char *(*mountinfo)(const struct cgroup_manager *m); /* NULL op: NULL */
  /* Rootless: see cgroup_unwritable_dir.  NULL op: NULL (usable). */
  const char *(*unwritable_dir)(const struct cgroup_manager *m);
};

/* ---- choosing a driver (once, at the top) ---------------------------- */

/* The driver of `create`/`run`: cgroupfs, or systemd (--systemd-cgroup). */
int cgroup_driver_select(bool systemd, const struct cgroup_driver **out, herr_t *err);
/* A driver by its state name; NULL when this hutch has none by that name. */
const struct cgroup_driver *cgroup_driver_find(const char *name);
const char *cgroup_driver_name(const struct cgroup_manager *m);

extern const struct cgroup_driver cgroup_driver_fs;      /* cgroups/fs/ */
extern const struct cgroup_driver cgroup_driver_systemd; /* cgroups/systemd/ */
extern const struct cgroup_driver cgroup_driver_none;    /* cgroup.c */

/* ---- the manager ------------------------------------------------------ */

int cgroup_manager_new(const struct cgroup_driver *drv, const struct cgroup_config *cfg,
                       struct cgroup_manager **out, herr_t *err);
void cgroup_manager_free(struct cgroup_manager *m);
/* Serialise what later commands need to find the cgroup again, with the
 * driver's name ({"driver": NAME, ...the driver's keys}). */
json_t *cgroup_manager_to_json(const struct cgroup_manager *m);
/* From the state; no "driver" key: cgroupfs (states written before it was
 * kept).  A driver this hutch does not have is an error naming it. */
int cgroup_manager_from_json(json_t *j, const char *id, struct cgroup_manager **out, herr_t *err);

int cgroup_create(struct cgroup_manager *m, enum cgroup_stage st, pid_t init, herr_t *err);
int cgroup_clone_into_fd(struct cgroup_manager *m); /* -1 when not available */
const char *cgroup_mountinfo(const struct cgroup_manager *m);
int cgroup_open_join_fds(struct cgroup_manager *m, bool placed, int *fds, size_t max, size_t *n,
                         herr_t *err);
int cgroup_enter_self_fds(struct cgroup_manager *m, bool placed, const int *fds, size_t n,
                          herr_t *err);
int cgroup_enter(struct cgroup_manager *m, pid_t pid, herr_t *err);
/* exec --cgroup: put pid in sub-cgroup `sub` ("PATH" relative to the
 * container's cgroup in every hierarchy, or "CTRL[,CTRL]:PATH" for those v1
 * controllers only, the others getting the container's cgroup).  The
 * sub-cgroup must exist.  NULL or "": cgroup_enter. */
int cgroup_enter_sub(struct cgroup_manager *m, pid_t pid, const char *sub, herr_t *err);
/* r: values validate_resources() accepted. */
int cgroup_apply(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err);
int cgroup_update(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err);
int cgroup_freeze(struct cgroup_manager *m, bool freeze, herr_t *err);
/* No freezer op: not frozen (a container without one cannot be paused). */
int cgroup_is_frozen(struct cgroup_manager *m, bool *frozen, herr_t *err);
/* Refuse a frozen cgroup (v1 freezer.state not THAWED; v2 cgroup.freeze 1
 * or "frozen 1" in cgroup.events, an ancestor's freeze included) before a
 * process joins it: it would freeze there and never answer.  `unified`: the
 * unified hierarchy (before clone3 places the child in it), else the v1
 * freezer (before the init joins it). */
int cgroup_check_thawed(struct cgroup_manager *m, bool unified, herr_t *err);
int cgroup_kill_all(struct cgroup_manager *m, int sig, herr_t *err);
int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err);
int cgroup_stats(struct cgroup_manager *m, json_t **out, herr_t *err);
/* OOM notification: an fd that becomes readable (poll POLLIN) when the kernel
 * may have OOM-killed a process of the container; cgroup_oom_check says
 * whether it did (and consumes the notification).  -1 when not available. */
int cgroup_oom_fd(struct cgroup_manager *m, herr_t *err);
int cgroup_oom_check(struct cgroup_manager *m, int fd, bool *oom, herr_t *err);
/* How many processes the OOM killer has killed in the container (0 when unknown). */
uint64_t cgroup_oom_kills(struct cgroup_manager *m);
int cgroup_destroy(struct cgroup_manager *m, herr_t *err);
/* A manager recorded before cgroup_create (a create that died before it
 * could say what it made): count the container's own cgroup as made
 * wherever it exists, so that cgroup_destroy removes it.  Ancestors such a
 * create made are not known, and stay. */
void cgroup_claim_leaf(struct cgroup_manager *m);
/* One cgroupsPath for several containers (as runc allows): whether this
 * manager made (or adopted) the container's cgroup somewhere, so that
 * cgroup_destroy kills and removes it (it does nothing to one that existed);
 * after cgroup_create, whether it existed somewhere; whether two managers
 * (of one driver) share it; and taking over the "made" mark of another
 * container of ours using it, so that the last one deleted removes it. */
bool cgroup_owned(const struct cgroup_manager *m);
bool cgroup_existed(const struct cgroup_manager *m);
bool cgroup_same(const struct cgroup_manager *a, const struct cgroup_manager *b);
void cgroup_adopt(struct cgroup_manager *m, const struct cgroup_manager *other);
/* "unified", "hybrid" or "legacy" (cgroupfs); "none". */
const char *cgroup_mode_name(const struct cgroup_manager *m);
/* The container's directory for a controller ("memory", "freezer"; "" for
 * the unified hierarchy), NULL when the host has none. */
const char *cgroup_dir(const struct cgroup_manager *m, const char *controller);

/* Rootless: the first of the container's cgroup directories this caller
 * cannot make or write (its nearest existing ancestor is not writable by
 * us: not delegated), or NULL when every one is ours to use (and for a
 * driver without the op). */
const char *cgroup_unwritable_dir(const struct cgroup_manager *m);
/* The name of the first limit r asks for ("memory", "pids", ...; devices
 * are not limits), or NULL when it asks for none. */
const char *cgroup_first_limit(const struct spec_resources *r);
/* linux.resources.hugepageLimits[].pageSize ("2MB", "1GB"; "2mB" as runc
 * reads it) -> the name in the hugetlb file names ("2MB").  (In
 * fs/resources.c; pure, for any driver and the validation pass.) */
int cgroup_hugepage_name(const char *page_size, char **out, herr_t *err);

#endif
