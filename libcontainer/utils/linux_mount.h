/* Thin wrappers for the fd-based mount API (open_tree, move_mount,
 * mount_setattr) and openat2, as raw syscalls so hutch builds with any libc
 * that has <sys/mount.h>, whatever mount API wrappers it ships. */
#ifndef HUTCH_LINUX_MOUNT_H
#define HUTCH_LINUX_MOUNT_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/vocab.h" /* MS_NOSYMFOLLOW and the MOUNT_ATTR_* the options use */

#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

/* The per-mount flags a bind mount can change. */
#define HUTCH_ATTR_PERMOUNT                                                                        \
  (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |                  \
   MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

struct hutch_mount_attr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

struct hutch_open_how {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
#define HUTCH_RESOLVE_NO_XDEV 0x01
#define HUTCH_RESOLVE_NO_MAGICLINKS 0x02
#define HUTCH_RESOLVE_NO_SYMLINKS 0x04
#define HUTCH_RESOLVE_BENEATH 0x08
#define HUTCH_RESOLVE_IN_ROOT 0x10

static inline int sys_open_tree(int dfd, const char *path, unsigned flags)
{
  return (int)syscall(__NR_open_tree, dfd, path, flags);
}
static inline int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                                 unsigned flags)
{
  return (int)syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}
static inline int sys_mount_setattr(int dfd, const char *path, unsigned flags,
                                    struct hutch_mount_attr *attr)
{
  return (int)syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}
static inline int sys_openat2(int dfd, const char *path, struct hutch_open_how *how)
{
  return (int)syscall(__NR_openat2, dfd, path, how, sizeof(*how));
}

#endif
