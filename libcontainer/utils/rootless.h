/* Rootless mode (hutch without the host's root), as runc decides it:
 * --rootless true|false|auto, auto meaning rootless when the effective uid
 * is not 0, or when it is 0 inside a user namespace that does not map the
 * whole host uid range (rootless podman runs the runtime that way). */
#ifndef HUTCH_ROOTLESS_H
#define HUTCH_ROOTLESS_H

#include <stdbool.h>

#include "spec/base/error.h"

enum rootless_mode { ROOTLESS_AUTO, ROOTLESS_TRUE, ROOTLESS_FALSE };

/* "true", "false" or "auto"; -1 for anything else. */
int rootless_parse(const char *s, enum rootless_mode *out);
/* /proc/self/uid_map is not the identity map of all 2^32 ids (one read of
 * a small procfs file: only called when euid is 0 and the answer matters). */
bool rootless_in_partial_userns(void);
/* The mode's answer for this process. */
bool rootless_resolve(enum rootless_mode m);
/* The default state root of a rootless caller: $XDG_RUNTIME_DIR/hutch
 * (malloc'd), or an error saying to set XDG_RUNTIME_DIR or pass --root. */
int rootless_default_root(char **out, herr_t *err);
/* Rootless without linux.cgroupsPath, as runc on cgroup v2: the
 * container's cgroup goes beside the caller's own, "PARENT/ID" where
 * PARENT is the parent of the cgroup in self_cgroup (the text of
 * /proc/self/cgroup).  In a user's session (or rootless podman's scope)
 * that is the user's delegated subtree; the caller's own cgroup has
 * processes, so controllers cannot be enabled below it.  NULL when
 * self_cgroup is not a pure cgroup v2 one ("0::PATH" alone). */
char *rootless_cgroup_beside(const char *self_cgroup, const char *id);
/* The same for this process (reads /proc/self/cgroup); NULL if unknown. */
char *rootless_default_cgroup(const char *id);

#endif
