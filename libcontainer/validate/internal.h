/* The pieces of the validation pass (validate.c calls them in order). */
#ifndef HUTCH_VALIDATE_INTERNAL_H
#define HUTCH_VALIDATE_INTERNAL_H

#include "libcontainer/validate/validate.h"
#include "spec/base/util.h"

/* linux.rootfsPropagation, mounts (destination, source, type, options, idmap,
 * a mount namespace for them) and linux.devices (rootfs.c). */
int validate_rootfs(const struct spec *s, herr_t *err);
/* linux.namespaces with uid/gidMappings and timeOffsets (namespaces.c). */
int validate_namespaces(const struct spec *s, herr_t *err);
/* linux.sysctl: every key within /proc/sys and namespaced by a namespace the
 * container does not share with this process (namespaces.c). */
int validate_sysctl(const struct spec *s, herr_t *err);

#endif
