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
 *   rootfs_finalize() sysctl, readonlyPaths, maskedPaths, "ro" of tmpfs mounts
 *                     and /dev (kept writable until then), root.readonly, and
 *                     rootfsPropagation of "/".
 * All paths in errors are the container-side destination.
 * The init must be in its cgroups before rootfs_prepare (a `cgroup` mount
 * binds the init's own cgroup directories). */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct rootfs_ctx {
  const struct spec *spec;
  const char *rootfs; /* absolute host path of root.path (already resolved) */
  bool no_pivot;      /* --no-pivot */
  bool new_userns;    /* in a new user namespace: devices are bind-mounted, not mknod'ed */
  bool new_netns;     /* has a new network namespace (sysfs may be mounted) */
  int rootfs_fd;      /* internal: O_PATH fd of the rootfs, -1 before prepare */
  const char *bundle; /* optional: relative bind sources are taken from here (NULL: the cwd) */
  bool not_root;      /* internal: euid/egid is not 0 (devices then need a chown) */
  int *bind_fds;      /* optional, from rootfs_prepare_binds: bind_fds[i] >= 0 is the ready
                         detached tree for mounts[i] (the init attaches and closes it) */
  /* optional: called before the first step that needs the process in its
   * cgroup (a cgroup mount, device nodes); must not return on failure. */
  void (*need_cgroup)(void *arg);
  void *need_cgroup_arg;
  /* optional: the host's /proc/self/mountinfo, read before the clone; the
   * cgroup mounts under /sys/fs/cgroup are the same in a mount namespace
   * cloned from it (NULL: read it). */
  const char *mountinfo;
};

/* The config is one validate_config() accepted in the parent, before the
 * clone: these functions do not check it again (in the init, after joining
 * a network namespace by path, /proc/self/ns/net is that namespace, and every
 * net.* sysctl would look like the host's). */
int rootfs_prepare(struct rootfs_ctx *c, herr_t *err);
int rootfs_pivot(struct rootfs_ctx *c, herr_t *err);
int rootfs_finalize(struct rootfs_ctx *c, herr_t *err);

/* Bind mounts of a container with its own user namespace: from inside that
 * namespace the init cannot open a source only the host's root can reach
 * (runc opens them in its parent too) nor set MOUNT_ATTR_IDMAP on a host
 * filesystem, so the parent (in the host's namespaces) makes those trees
 * (userns_pid: a process in the container's user namespace, which gives the
 * mapping for idmapped mounts without their own uid/gidMappings; 0: the
 * linux.uid/gidMappings) and the init gets them (`create` makes them before
 * the clone, which inherits them) in rootfs_ctx.bind_fds (one entry per
 * mount, -1 = none) before rootfs_prepare.  Not for binds of a container
 * joining a mount namespace (its sources are looked up there), idmapped ones
 * aside.  *fds is NULL when no mount needs it. */
bool rootfs_needs_parent_binds(const struct spec *s);
int rootfs_prepare_binds(const struct spec *s, const char *bundle, pid_t userns_pid, int **fds,
                         herr_t *err);
void rootfs_free_binds(const struct spec *s, int *fds);

/* A linux.sysctl key in sysctl(8)'s dotted form ("net/ipv4/ip_forward" ->
 * "net.ipv4.ip_forward"; in the dotted form a '/' stands for a '.' inside a
 * name, e.g. "eth0/100"), and the dotted form as a path below /proc/sys. */
char *rootfs_sysctl_dotted(const char *key);
char *rootfs_sysctl_path(const char *dotted);

#endif
