/* After pivot_root: linux.sysctl, readonlyPaths and maskedPaths.  Paths are
 * resolved inside the new root (never through magic links); the mounts are
 * made with open_tree/move_mount so /proc need not be mounted. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#define HUTCH_FSOPEN_CLOEXEC 1
#define HUTCH_FSCONFIG_SET_FLAG 0
#define HUTCH_FSCONFIG_CMD_CREATE 6
#define HUTCH_FSMOUNT_CLOEXEC 1

/* ---- sysctl ------------------------------------------------------------ */

char *rootfs_sysctl_dotted(const char *key)
{
  char *k = xstrdup(key);
  size_t first = strcspn(k, "./");
  if (k[first] == '/')
    for (char *p = k; *p; p++)
      *p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
  return k;
}

/* '.' separates, '/' was a '.'. */
char *rootfs_sysctl_path(const char *dotted)
{
  char *k = xstrdup(dotted);
  for (char *p = k; *p; p++)
    *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
  return k;
}

int rootfs_apply_sysctl(const struct spec *s, herr_t *err)
{
  if (!s->has_linux || s->linux_.n_sysctl == 0)
    return 0;
  _cleanup_close_ int dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return herr_sys(err, "linux.sysctl: open /proc/sys");
  for (size_t i = 0; i < s->linux_.n_sysctl; i++) {
    const struct spec_kv *kv = &s->linux_.sysctl[i];
    _cleanup_free_ char *dotted = rootfs_sysctl_dotted(kv->key);
    _cleanup_free_ char *k = rootfs_sysctl_path(dotted);
    struct hutch_open_how how = {.flags = O_WRONLY | O_TRUNC | O_CLOEXEC,
                                 .resolve = HUTCH_RESOLVE_BENEATH | HUTCH_RESOLVE_NO_SYMLINKS};
    _cleanup_close_ int fd = sys_openat2(dir, k, &how);
    if (fd < 0)
      return herr_sys(err, "linux.sysctl: %s: open /proc/sys/%s", kv->key, k);
    if (write_all(fd, kv->value, strlen(kv->value)) < 0)
      return herr_sys(err, "linux.sysctl: %s: write \"%s\"", kv->key, kv->value);
  }
  return 0;
}

/* ---- readonlyPaths / maskedPaths ------------------------------------------ */

static int attach(int tree, int dst)
{
  return sys_move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int rootfs_readonly_paths(int rootfd, const struct spec *s, herr_t *err)
{
  if (!s->has_linux)
    return 0;
  for (size_t i = 0; i < s->linux_.n_readonly_paths; i++) {
    const char *p = s->linux_.readonly_paths[i];
    _cleanup_close_ int fd = pathsafe_open(rootfd, p, O_PATH);
    if (fd < 0) {
      if (errno == ENOENT)
        continue;
      return herr_sys(err, "readonlyPaths: open %s", p);
    }
    _cleanup_close_ int tree =
        sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (tree < 0)
      return herr_sys(err, "readonlyPaths: bind %s", p);
    struct hutch_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
      return herr_sys(err, "readonlyPaths: make %s read-only", p);
    if (attach(tree, fd) < 0)
      return herr_sys(err, "readonlyPaths: bind %s", p);
  }
  return 0;
}

/* A read-only, empty tmpfs, detached (fsopen/fsmount: no /proc needed). */
static int empty_tmpfs(void)
{
  _cleanup_close_ int fs = (int)syscall(__NR_fsopen, "tmpfs", HUTCH_FSOPEN_CLOEXEC);
  if (fs < 0)
    return -1;
  if (syscall(__NR_fsconfig, fs, HUTCH_FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
      syscall(__NR_fsconfig, fs, HUTCH_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -1;
  return (int)syscall(__NR_fsmount, fs, HUTCH_FSMOUNT_CLOEXEC,
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int rootfs_mask_paths(int rootfd, const struct spec *s, herr_t *err)
{
  if (!s->has_linux || s->linux_.n_masked_paths == 0)
    return 0;
  _cleanup_close_ int devnull = -1, mask_dir = -1;
  for (size_t i = 0; i < s->linux_.n_masked_paths; i++) {
    const char *p = s->linux_.masked_paths[i];
    _cleanup_close_ int fd = pathsafe_open(rootfd, p, O_PATH);
    if (fd < 0) {
      if (errno == ENOENT)
        continue;
      return herr_sys(err, "maskedPaths: open %s", p);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
      return herr_sys(err, "maskedPaths: stat %s", p);
    _cleanup_close_ int tree = -1;
    if (S_ISDIR(st.st_mode)) {
      if (mask_dir < 0) {
        /* The first masked directory gets a fresh tmpfs; the others bind it. */
        tree = empty_tmpfs();
        if (tree < 0)
          return herr_sys(err, "maskedPaths: mount tmpfs on %s", p);
        if (attach(tree, fd) < 0)
          return herr_sys(err, "maskedPaths: mount tmpfs on %s", p);
        mask_dir = steal_fd(&tree);
        continue;
      }
      tree = sys_open_tree(mask_dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    } else {
      if (devnull < 0) {
        devnull = pathsafe_open(rootfd, "/dev/null", O_PATH);
        struct stat ns;
        if (devnull < 0 || fstat(devnull, &ns) < 0)
          return herr_sys(err, "maskedPaths: open /dev/null");
        if (!S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3))
          return herr_set(err, 0, "maskedPaths: the container's /dev/null is not the null device");
      }
      tree = sys_open_tree(devnull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    }
    if (tree < 0 || attach(tree, fd) < 0)
      return herr_sys(err, "maskedPaths: mask %s", p);
  }
  return 0;
}
