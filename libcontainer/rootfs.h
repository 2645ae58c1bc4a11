/* The container's root filesystem, set up inside the init process once it
 * is in its new mount namespace.  The init calls, in order:
 *   rootfs_prepare()  propagation, bind of root.path onto itself, every
 *                     `mounts` entry (destinations resolved inside the rootfs,
 *                     never following symlinks out of it), /dev with the
 *                     default devices and linux.devices, /dev/pts, /dev/shm,
 *                     the /dev/fd and std* links;
 *   (createContainer hooks may run here)
 *   rootfs_pivot()    pivot_root into the rootfs (or move-mount + chroot with
 *                     no_pivot), leaving the old root detached;
 *   (the console, if any, is bound onto /dev/console here)
 *   rootfs_finalize() sysctl, maskedPaths, readonlyPaths, root.readonly, and
 *                     rootfsPropagation of "/".
 * All paths in errors are the container-side destination. */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>

#include "libcontainer/error.h"
#include "spec/spec.h"

struct rootfs_ctx {
  const struct spec *spec;
  const char *rootfs; /* absolute host path of root.path (already resolved) */
  bool no_pivot;      /* --no-pivot */
  bool new_userns;    /* in a new user namespace: devices are bind-mounted, not mknod'ed */
  bool new_netns;     /* has a new network namespace (sysfs may be mounted) */
  int rootfs_fd;      /* internal: O_PATH fd of the rootfs, -1 before prepare */
};

int rootfs_prepare(struct rootfs_ctx *c, herr_t *err);
int rootfs_pivot(struct rootfs_ctx *c, herr_t *err);
int rootfs_finalize(struct rootfs_ctx *c, herr_t *err);

#endif
