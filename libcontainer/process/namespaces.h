/* Namespaces of a new container: which are created and which joined, the
 * uid/gid maps of a new user namespace, time offsets, hostname. */
#ifndef HUTCH_NAMESPACES_H
#define HUTCH_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct ns_plan {
  int fds[SPEC_NS_TYPES];     /* joined by path: an fd opened by the parent, else -1 */
  bool new_ns[SPEC_NS_TYPES]; /* created for the container */
  bool joined[SPEC_NS_TYPES]; /* joined by path (fds[] is closed once joined) */
  /* Fast path (nothing joined): the clone creates every new namespace but
   * time.  Otherwise the clone creates none: the child joins the paths (user
   * first), unshares the new ones and forks the real init if a pid namespace
   * only applies to its children. */
  bool join_first;
  bool user_joined; /* user namespace joined by path */
  bool pid_joined;  /* pid namespace joined by path */
  unsigned long clone_flags;
  /* An unprivileged caller mapping more than its own id: the newuidmap /
   * newgidmap found in $PATH (malloc'd, freed by ns_plan_close), else NULL. */
  char *newuidmap, *newgidmap;
};

/* Parent, before clone: open the paths, decide the clone flags. */
int ns_plan_make(const struct spec *s, struct ns_plan *p, herr_t *err);
void ns_plan_close(struct ns_plan *p);
/* Parent: write uid_map/gid_map (and setgroups) of pid's new user namespace,
 * through p's newuidmap/newgidmap where set (id_maps.c). */
int ns_write_id_maps(pid_t pid, const struct spec *s, const struct ns_plan *p, herr_t *err);
/* Part of ns_plan_make: an unprivileged caller whose maps need
 * newuidmap/newgidmap finds them now (before anything is made), or gets an
 * error naming linux.uidMappings / linux.gidMappings. */
int ns_plan_id_map_helpers(const struct spec *s, struct ns_plan *p, herr_t *err);
/* Child: join the user namespace path (if any). */
int ns_join_user(struct ns_plan *p, herr_t *err);
/* Child: join every other namespace path (time included). */
int ns_join_others(struct ns_plan *p, herr_t *err);
/* Child (join_first): unshare the new namespaces except user and time. */
int ns_unshare_rest(struct ns_plan *p, herr_t *err);
/* Child: become uid/gid 0 in a new or joined user namespace. */
int ns_become_root(herr_t *err);
/* A new time namespace only applies to children and its offsets can only be
 * set before a process enters it: the init unshares it, the parent writes
 * linux.timeOffsets to /proc/<init>/timens_offsets (the init is not dumpable,
 * so inside a user namespace it cannot open that file itself), then the init
 * enters it with setns(time_for_children). */
int ns_unshare_time(herr_t *err);
int ns_write_time_offsets(pid_t pid, const struct spec *s, herr_t *err);
int ns_enter_time(herr_t *err);
/* Init: hostname and domainname in the new UTS namespace. */
int ns_set_hostname(const struct spec *s, herr_t *err);

#endif
