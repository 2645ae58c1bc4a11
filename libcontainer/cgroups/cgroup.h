/* One cgroup manager interface with a v2 (unified) and a v1 (legacy/hybrid)
 * driver chosen by probing the host.  The lifecycle uses it like this:
 *   cgroup_manager_new(spec->linux_.cgroups_path, id, &m, err)   parent, before clone
 *   cgroup_create(m, err)                         mkdir (every hierarchy)
 *   cgroup_clone_into_fd(m)                       fd for clone3 CLONE_INTO_CGROUP (unified), or -1
 *   cgroup_enter_self(m, placed, err)             in the init: the v1 hierarchies (and the
 *                                                 unified one when clone3 could not place it)
 *   cgroup_apply(m, &spec->linux_.resources, err) limits (before the init runs user code)
 *   cgroup_manager_to_json(m) / _from_json(...)    kept in the state file
 *   cgroup_destroy(m, err)                         kill what is left, rmdir everywhere
 * and the commands: cgroup_freeze/thaw (pause/resume), cgroup_kill_all
 * (kill --all, delete --force), cgroup_pids (ps), cgroup_stats (events),
 * cgroup_apply again (update). */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct cgroup_manager;

/* cgroups_path NULL: "/<id>" as runc does; relative: under the runtime's own cgroup. */
int cgroup_manager_new(const char *cgroups_path, const char *id, struct cgroup_manager **out,
                       herr_t *err);
void cgroup_manager_free(struct cgroup_manager *m);
int cgroup_create(struct cgroup_manager *m, herr_t *err);
/* cgroup_create in two parts: the unified hierarchy (needed before clone3
 * places the init there) and the v1 hierarchies (made while the init starts
 * its setup).  A failure of either removes everything made. */
int cgroup_create_unified(struct cgroup_manager *m, herr_t *err);
int cgroup_create_legacy(struct cgroup_manager *m, herr_t *err);
int cgroup_clone_into_fd(struct cgroup_manager *m); /* -1 when not available */
/* The /proc/self/mountinfo text cgroup_manager_new read (NULL for a
 * manager loaded from the state file). */
const char *cgroup_mountinfo(const struct cgroup_manager *m);
int cgroup_enter(struct cgroup_manager *m, pid_t pid, herr_t *err);
/* Called by a single-threaded process (the container init) to join the
 * cgroup itself: v1 hierarchies through `tasks`, much cheaper than a pid
 * written by another process; unified_placed: clone3(CLONE_INTO_CGROUP)
 * already placed it in the unified hierarchy. */
int cgroup_enter_self(struct cgroup_manager *m, bool unified_placed, herr_t *err);
/* The same in two halves: the parent opens the files the init writes "0"
 * to (in hierarchy order; at most max), the init writes through them (the
 * opens, ~15 us each, leave the init's critical path). */
int cgroup_open_join_fds(struct cgroup_manager *m, bool unified_placed, int *fds, size_t max,
                         size_t *n, herr_t *err);
int cgroup_enter_self_fds(struct cgroup_manager *m, bool unified_placed, const int *fds, size_t n,
                          herr_t *err);
/* r: values validate_resources() accepted. */
int cgroup_apply(struct cgroup_manager *m, const struct spec_resources *r, herr_t *err);
/* linux.resources.hugepageLimits[].pageSize ("2MB", "1GB"; "2mB" as runc
 * reads it) -> the name in the hugetlb file names ("2MB"). */
int cgroup_hugepage_name(const char *page_size, char **out, herr_t *err);
int cgroup_freeze(struct cgroup_manager *m, bool freeze, herr_t *err);
int cgroup_is_frozen(struct cgroup_manager *m, bool *frozen, herr_t *err);
int cgroup_kill_all(struct cgroup_manager *m, int sig, herr_t *err);
int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, herr_t *err);
int cgroup_stats(struct cgroup_manager *m, json_t **out, herr_t *err);
int cgroup_destroy(struct cgroup_manager *m, herr_t *err);
/* A manager recorded before cgroup_create (a create that died before it
 * could say what it made): count the container's own directory as made
 * wherever it exists, so that cgroup_destroy removes it.  Ancestors such a
 * create made are not known, and stay. */
void cgroup_claim_leaf(struct cgroup_manager *m);
/* Make the first cgroup_apply install the device rules (deny by default,
 * runc's default devices allowed) even when the config has none.  Only
 * linux.resources.devices and those defaults decide access: linux.devices
 * only makes nodes, it allows nothing (as runc).  Call after
 * cgroup_manager_new, before the first cgroup_apply. */
void cgroup_init_devices(struct cgroup_manager *m);
/* exec --cgroup: put pid in sub-cgroup `sub` ("PATH" relative to the
 * container's cgroup in every hierarchy, or "CTRL[,CTRL]:PATH" for those v1
 * controllers only, the others getting the container's cgroup).  The
 * sub-cgroup must exist.  NULL or "": cgroup_enter. */
int cgroup_enter_sub(struct cgroup_manager *m, pid_t pid, const char *sub, herr_t *err);
/* "unified", "hybrid" or "legacy". */
const char *cgroup_mode_name(const struct cgroup_manager *m);
/* The container's directory for a controller ("memory", "freezer"; "" for
 * the unified hierarchy), NULL when the host has none.  For tests and ps. */
const char *cgroup_dir(const struct cgroup_manager *m, const char *controller);
/* OOM notification: an fd that becomes readable (poll POLLIN) when the kernel
 * may have OOM-killed a process of the container; cgroup_oom_check says
 * whether it did (and consumes the notification).  -1 when not available. */
int cgroup_oom_fd(struct cgroup_manager *m, herr_t *err);
int cgroup_oom_check(struct cgroup_manager *m, int fd, bool *oom, herr_t *err);
/* How many processes the OOM killer has killed in the container (0 when unknown). */
uint64_t cgroup_oom_kills(struct cgroup_manager *m);

/* Rootless: the first of the container's cgroup directories this caller
 * cannot make or write (its nearest existing ancestor is not writable by
 * us: not delegated), or NULL when every hierarchy is ours to use. */
const char *cgroup_unwritable_dir(const struct cgroup_manager *m);
/* The name of the first limit r asks for ("memory", "pids", ...; devices
 * are not limits), or NULL when it asks for none. */
const char *cgroup_first_limit(const struct spec_resources *r);

/* Serialise what is needed to find the cgroup again (for the state file). */
json_t *cgroup_manager_to_json(const struct cgroup_manager *m);
int cgroup_manager_from_json(json_t *j, struct cgroup_manager **out, herr_t *err);

#endif
