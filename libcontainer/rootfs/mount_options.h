/* `mounts[].options` as runc reads them: MS_* flags (set or cleared),
 * propagation flags, recursive attributes for mount_setattr(AT_RECURSIVE),
 * the idmap/ridmap extensions, and everything else joined as fs data. */
#ifndef HUTCH_MOUNTS_H
#define HUTCH_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/error.h"
#include "spec/spec.h"

#define MOUNT_MAX_PROPAGATION 8

struct mount_opts {
  unsigned long flags;   /* MS_* to set (MS_BIND, MS_REC, MS_RDONLY, ...) */
  unsigned long cleared; /* MS_* explicitly cleared ("rw", "suid", "dev", ...) */
  unsigned long propagation[MOUNT_MAX_PROPAGATION]; /* MS_SHARED|MS_REC, ... in order */
  size_t n_propagation;
  uint64_t rec_set, rec_clr; /* MOUNT_ATTR_* for "rro", "rnosuid", ... */
  bool idmap;                /* "idmap"/"ridmap" or uid/gidMappings present */
  bool idmap_recursive;      /* "ridmap" */
  bool tmpcopyup;            /* "tmpcopyup" (runc/crun extension): a tmpfs starts with a copy
                                of what it covers ("notmpcopyup" turns it off) */
  char *data;                /* fs-specific options joined by ',', NULL if none */
};

/* Parse options; errors name the option.  o is zeroed first. */
int mount_opts_parse(const struct spec_mount *m, struct mount_opts *o, herr_t *err);
void mount_opts_clear(struct mount_opts *o);

/* A bind mount: "bind"/"rbind" option, or type "bind". */
bool mount_is_bind(const struct spec_mount *m, const struct mount_opts *o);

/* "rprivate" -> MS_PRIVATE|MS_REC, ... (the eight propagation names).
 * Returns 0, or -1 if the name is not one of them. */
int mount_propagation_from_name(const char *name, unsigned long *flag);

/* MS_RDONLY|MS_NOSUID|... -> MOUNT_ATTR_* (per-mount flags only). */
uint64_t mount_ms_to_attr(unsigned long ms);

#endif
