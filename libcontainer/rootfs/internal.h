/* Shared between the rootfs_*.c and devices.c files; not a public interface. */
#ifndef HUTCH_ROOTFS_INTERNAL_H
#define HUTCH_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "libcontainer/rootfs/mount_options.h"
#include "libcontainer/rootfs/rootfs.h"

/* mount(2) onto the object fd refers to, through /proc/self/fd/N. */
int rootfs_mount_on_fd(const char *src, int fd, const char *type, unsigned long flags,
                       const char *data);

/* After mounting onto `under` (an fd of the mount point), open the root of
 * the new mount by re-resolving `dest` inside rootfd, checking it is indeed
 * a different mount's root.  Returns an O_PATH fd or -1 (errno). */
int rootfs_reopen_mount(int rootfd, const char *dest, int under);

/* Apply o->rec_set/rec_clr, then o->propagation to the mount whose root is mntfd. */
int rootfs_apply_mount_attrs(int mntfd, const struct mount_opts *o, const char *dest, herr_t *err);
/* Only o->propagation (the mount must be attached). */
int rootfs_apply_propagation(int mntfd, const struct mount_opts *o, const char *dest, herr_t *err);

/* Clone the source of bind mount i as a detached tree with everything that
 * can be set before attaching: flags, recursive attributes, idmap (mount
 * mappings, else those of userns_pid's user namespace when > 0, else
 * linux.uid/gidMappings).  Returns the tree fd (bind_sources.c). */
int rootfs_bind_source(const struct spec *s, const char *bundle, size_t i,
                       const struct mount_opts *o, pid_t userns_pid, herr_t *err);

/* Clone `src` (recursively if rec) as a detached mount, set the per-mount
 * flags `ms` ("mount --bind -o" semantics: unrequested flags are cleared
 * unless locked; keep_unrequested: only set/clear what was asked), and attach
 * it on dstfd.  Returns 0 or -1 with errno set; *step names the failed step. */
int rootfs_bind_fd(int treefd, unsigned long ms, unsigned long cleared, bool keep_unrequested,
                   const char **step);

/* "tmpcopyup": copy the directory from_dir (the one a tmpfs now covers) into
 * to_dir (the tmpfs's root); dest names it in errors (copyup.c). */
int rootfs_copyup(int from_dir, int to_dir, const char *dest, herr_t *err);

/* mounts[i]: one entry of the config. */
int rootfs_mount_entry(struct rootfs_ctx *c, size_t i, herr_t *err);

/* type "cgroup" (cgroup_mount.c); dstfd is the resolved mount point. */
int rootfs_mount_cgroup(struct rootfs_ctx *c, size_t i, const struct mount_opts *o, int dstfd,
                        herr_t *err);

/* /dev: default devices, linux.devices, ptmx and the fd links (devices.c). */
int rootfs_setup_dev(struct rootfs_ctx *c, herr_t *err);
/* True unless /dev is bind-mounted from the config (as runc decides). */
bool rootfs_needs_dev(const struct spec *s);

/* linux.sysctl, maskedPaths, readonlyPaths (finalize.c). */
int rootfs_apply_sysctl(const struct spec *s, herr_t *err);
int rootfs_readonly_paths(int rootfd, const struct spec *s, herr_t *err);
int rootfs_mask_paths(int rootfd, const struct spec *s, herr_t *err);

/* Split one /proc/self/mountinfo line in place into at most max fields;
 * *sepi is the index of the "-" separator (-1 if absent).  Returns the
 * number of fields. */
int mountinfo_fields(char *line, char **f, int max, int *sepi);

#endif
