/* systemd unit names for a container's cgroup (`--systemd-cgroup`), as runc
 * forms them from linux.cgroupsPath "slice:prefix:name":
 *   "system.slice:libpod:ID"  -> scope "libpod-ID.scope" in "system.slice",
 *                                cgroup /system.slice/libpod-ID.scope
 *   ":hutch:ID"               -> the default slice (system.slice for root,
 *                                user.slice for a rootless user's manager)
 *   "a-b.slice:p:ID"          -> cgroup /a.slice/a-b.slice/p-ID.scope
 *   "machine.slice::c1.slice" -> the container's unit is itself a slice
 *                                (created as a transient slice)
 * No cgroupsPath: "system.slice:hutch:ID" (runc uses its own name too).
 * Pure string work, unit-tested in tests/unit/test_systemd_unit.c. */
#ifndef HUTCH_CGROUPS_SYSTEMD_UNIT_H
#define HUTCH_CGROUPS_SYSTEMD_UNIT_H

#include <stdbool.h>

#include "spec/base/error.h"

struct sd_unit {
  char *slice; /* the parent slice unit, "system.slice" */
  char *unit;  /* "libpod-ID.scope", or "NAME.slice" */
  char *path;  /* cgroup path below the cgroup2 mount, "/system.slice/libpod-ID.scope" */
  bool is_slice;
};

/* Parse cgroups_path (NULL or "": the default for id).  default_slice is
 * "system.slice" or "user.slice".  Errors name linux.cgroupsPath. */
int sd_unit_parse(const char *cgroups_path, const char *id, const char *default_slice,
                  struct sd_unit *out, herr_t *err);
void sd_unit_clear(struct sd_unit *u);

/* A user's manager (rootless): its units' cgroups are below its own,
 * manager_cgroup (the Manager's ControlGroup property,
 * "/user.slice/user-1000.slice/user@1000.service"); prefix u->path with it.
 * "" or "/" leaves the path as it is.  Anything but a plain absolute path
 * is an error. */
int sd_unit_under(struct sd_unit *u, const char *manager_cgroup, herr_t *err);

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "".
 * Returns a malloc'd path, or NULL with err set (naming `field`). */
char *sd_slice_expand(const char *slice, const char *field, herr_t *err);

#endif
