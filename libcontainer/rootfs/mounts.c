/* One `mounts` entry: resolve the destination inside the rootfs, then either
 * clone+attach the source (bind mounts: open_tree/mount_setattr/move_mount,
 * never a path lookup on the destination) or mount a new filesystem through
 * /proc/self/fd/N, then propagation and recursive attributes. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include "libcontainer/utils/linux_mount.h"
#include "spec/base/log.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

int rootfs_mount_on_fd(const char *src, int fd, const char *type, unsigned long flags,
                       const char *data)
{
  char path[32];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  return mount(src, path, type, flags, data);
}

int rootfs_reopen_mount(int rootfd, const char *dest, int under)
{
  struct statx old, cur;
  if (statx(under, "", AT_EMPTY_PATH, STATX_MNT_ID, &old) < 0)
    return -1;
  int fd = pathsafe_open(rootfd, dest, O_PATH);
  if (fd < 0)
    return -1;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &cur) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  if (!(cur.stx_attributes & STATX_ATTR_MOUNT_ROOT) || cur.stx_mnt_id == old.stx_mnt_id) {
    close(fd);
    errno = EXDEV; /* the mount point was moved away under us */
    return -1;
  }
  return fd;
}

int rootfs_apply_mount_attrs(int mntfd, const struct mount_opts *o, const char *dest, herr_t *err)
{
  if (o->rec_set || o->rec_clr) {
    struct hutch_mount_attr a = {.attr_set = o->rec_set, .attr_clr = o->rec_clr};
    if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
      return herr_sys(err, "set recursive mount attributes on %s", dest);
  }
  return rootfs_apply_propagation(mntfd, o, dest, err);
}

int rootfs_apply_propagation(int mntfd, const struct mount_opts *o, const char *dest, herr_t *err)
{
  for (size_t i = 0; i < o->n_propagation; i++) {
    unsigned long p = o->propagation[i];
    struct hutch_mount_attr a = {.propagation = p & ~(unsigned long)MS_REC};
    if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH | ((p & MS_REC) ? AT_RECURSIVE : 0), &a) < 0)
      return herr_sys(err, "set propagation of %s", dest);
  }
  return 0;
}

static uint64_t statfs_to_attr(unsigned long f)
{
  uint64_t a = 0;
  if (f & ST_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (f & ST_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (f & ST_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (f & ST_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  return a;
}

int rootfs_bind_fd(int treefd, unsigned long ms, unsigned long cleared, bool keep_unrequested,
                   const char **step)
{
  if ((ms & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT)) == 0 && cleared == 0)
    return 0;
  struct hutch_mount_attr a = {0};
  a.attr_set = mount_ms_to_attr(ms);
  uint64_t explicit_clr = mount_ms_to_attr(cleared);
  a.attr_clr = keep_unrequested ? explicit_clr : (HUTCH_ATTR_PERMOUNT & ~a.attr_set);
  if (ms & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
    a.attr_clr |= MOUNT_ATTR__ATIME;
  a.attr_clr &= ~a.attr_set | MOUNT_ATTR__ATIME;
  *step = "set mount flags";
  if (sys_mount_setattr(treefd, "", AT_EMPTY_PATH, &a) == 0)
    return 0;
  if (errno != EPERM)
    return -1;
  /* Some flags of the source are locked (it comes from a less privileged
   * user namespace's view): keep them, unless the user asked to clear one. */
  struct statfs st;
  if (fstatfs(treefd, &st) < 0)
    return -1;
  uint64_t locked = statfs_to_attr(st.f_flags);
  if (locked & explicit_clr) {
    *step = "clear locked mount flags";
    errno = EPERM;
    return -1;
  }
  a.attr_clr &= ~locked;
  return sys_mount_setattr(treefd, "", AT_EMPTY_PATH, &a);
}

static const char *const proc_overmounts[] = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
};

/* Nothing may be mounted inside a procfs except lxcfs-style file overmounts,
 * and only procfs may be mounted on /proc (as runc checks). */
static int check_proc_target(size_t i, const char *dest, int dstfd, bool is_proc_source,
                             herr_t *err)
{
  if (strcmp(dest, "/proc") == 0) {
    if (!is_proc_source)
      return herr_set(err, 0, "mounts[%zu]: %s cannot be mounted because it is not of type proc", i,
                      dest);
    return 0;
  }
  struct statfs st;
  if (fstatfs(dstfd, &st) < 0)
    return herr_sys(err, "mounts[%zu]: statfs %s", i, dest);
  if (st.f_type != PROC_SUPER_MAGIC)
    return 0;
  for (size_t k = 0; k < sizeof(proc_overmounts) / sizeof(proc_overmounts[0]); k++)
    if (strcmp(dest, proc_overmounts[k]) == 0)
      return 0;
  return herr_set(err, 0, "mounts[%zu]: %s cannot be mounted because it is inside /proc", i, dest);
}

/* The kernel says EINVAL when a directory is bound on a file or the
 * reverse: say which (as runc's "not a directory"). */
static int bind_failed(size_t i, const char *src, const char *dest, int tree, int dst, herr_t *err)
{
  int e = errno;
  struct stat ss, ds;
  if (e == EINVAL && fstat(tree, &ss) == 0 && fstat(dst, &ds) == 0 &&
      S_ISDIR(ss.st_mode) != S_ISDIR(ds.st_mode))
    return S_ISDIR(ss.st_mode)
               ? herr_set(err, ENOTDIR,
                          "mounts[%zu]: bind %s on %s: not a directory (the source is a "
                          "directory, %s is not)",
                          i, src, dest, dest)
               : herr_set(err, EISDIR,
                          "mounts[%zu]: bind %s on %s: is a directory (%s is a directory, the "
                          "source is not)",
                          i, src, dest, dest);
  return herr_errno(err, e, "mounts[%zu]: bind %s on %s", i, src, dest);
}

static int mount_bind(struct rootfs_ctx *c, size_t i, const struct spec_mount *m,
                      const struct mount_opts *o, const char *dest, herr_t *err)
{
  _cleanup_close_ int tree = -1;
  if (c->bind_fds && c->bind_fds[i] >= 0) {
    tree = c->bind_fds[i]; /* made by the parent (rootfs_prepare_binds) */
    c->bind_fds[i] = -1;
  } else {
    if (o->idmap && c->new_userns)
      return herr_set(err, 0,
                      "mounts[%zu]: idmap mount on %s was not prepared outside the container's "
                      "user namespace",
                      i, dest);
    tree = rootfs_bind_source(c->spec, c->bundle, i, o, 0, err);
    if (tree < 0)
      return -1;
  }
  _cleanup_close_ int dst = pathsafe_open(c->rootfs_fd, dest, O_PATH);
  if (dst < 0 && errno == ENOENT) {
    struct statx sx;
    if (statx(tree, "", AT_EMPTY_PATH, STATX_TYPE, &sx) < 0)
      return herr_sys(err, "mounts[%zu]: stat bind source %s", i, m->source);
    dst = pathsafe_make(c->rootfs_fd, dest, S_ISDIR(sx.stx_mode) ? PATHSAFE_DIR : PATHSAFE_FILE);
  }
  if (dst < 0)
    return herr_sys(err, "mounts[%zu]: mount point %s", i, dest);

  bool proc_src = false;
  if (strcmp(dest, "/proc") == 0) {
    struct statfs sst;
    proc_src = fstatfs(tree, &sst) == 0 && sst.f_type == PROC_SUPER_MAGIC;
  }
  if (check_proc_target(i, dest, dst, proc_src, err) < 0)
    return -1;
  if (sys_move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return bind_failed(i, m->source, dest, tree, dst, err);
  /* tree now refers to the attached mount. */
  return rootfs_apply_propagation(tree, o, dest, err);
}

static int mount_fs(struct rootfs_ctx *c, size_t i, const struct spec_mount *m,
                    const struct mount_opts *o, const char *dest, herr_t *err)
{
  const char *type = m->type;
  bool is_proc = strcmp(type, "proc") == 0, is_sysfs = strcmp(type, "sysfs") == 0;
  bool is_tmpfs = strcmp(type, "tmpfs") == 0;
  _cleanup_close_ int dst = -1;
  bool created = false;
  if (is_proc || is_sysfs) {
    /* Must be a real directory: never mount procfs/sysfs through a symlink. */
    dst = pathsafe_open(c->rootfs_fd, dest, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    if (dst < 0 && errno == ENOENT) {
      _cleanup_free_ char *base = NULL;
      _cleanup_close_ int parent = pathsafe_open_parent(c->rootfs_fd, dest, true, &base);
      if (parent < 0)
        return herr_sys(err, "mounts[%zu]: mount point %s", i, dest);
      if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
        return herr_sys(err, "mounts[%zu]: mkdir %s", i, dest);
      dst = openat(parent, base, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    }
    if (dst < 0) {
      if (errno == ENOTDIR || errno == ELOOP)
        return herr_set(err, 0, "mounts[%zu]: %s must be mounted on a directory, %s is not one", i,
                        type, dest);
      return herr_sys(err, "mounts[%zu]: mount point %s", i, dest);
    }
  } else {
    dst = pathsafe_create(c->rootfs_fd, dest, PATHSAFE_DIR, &created);
    if (dst < 0)
      return herr_sys(err, "mounts[%zu]: mount point %s", i, dest);
  }
  if (check_proc_target(i, dest, dst, is_proc, err) < 0)
    return -1;

  if (strcmp(type, "cgroup") == 0) {
    if (c->need_cgroup)
      c->need_cgroup(c->need_cgroup_arg);
    return rootfs_mount_cgroup(c, i, o, dst, err);
  }

  unsigned long flags = o->flags;
  /* tmpfs and /dev stay writable until finalize (devices go in /dev). */
  if (is_tmpfs || strcmp(dest, "/dev") == 0)
    flags &= ~(unsigned long)MS_RDONLY;
  _cleanup_free_ char *data = NULL;
  if (is_tmpfs && !created &&
      !(o->data && (strncmp(o->data, "mode=", 5) == 0 || strstr(o->data, ",mode=")))) {
    /* Like runc: the tmpfs takes the mode of the directory it covers. */
    struct stat st;
    if (fstat(dst, &st) == 0 && S_ISDIR(st.st_mode))
      data = o->data ? xasprintf("mode=%04o,%s", st.st_mode & 07777, o->data)
                     : xasprintf("mode=%04o", st.st_mode & 07777);
  }
  /* linux.mountLabel (SELinux; refused earlier when SELinux is off): as
   * runc, a context= option on new filesystems other than proc, sysfs and
   * mqueue (mqueue gets the label as an xattr below). */
  const char *label = c->spec->has_linux ? c->spec->linux_.mount_label : NULL;
  bool is_mqueue = strcmp(type, "mqueue") == 0;
  if (label && *label && !is_proc && !is_sysfs && !is_mqueue) {
    const char *base = data ? data : o->data;
    char *with =
        base ? xasprintf("%s,context=\"%s\"", base, label) : xasprintf("context=\"%s\"", label);
    free(data);
    data = with;
  }
  /* tmpcopyup: keep a handle on the covered directory to copy from. */
  _cleanup_close_ int covered = -1;
  if (is_tmpfs && o->tmpcopyup && !created) {
    covered = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (covered < 0)
      return herr_sys(err, "mounts[%zu]: tmpcopyup: open %s", i, dest);
  } else if (o->tmpcopyup && !is_tmpfs) {
    hlog_debug("mounts[%zu]: tmpcopyup ignored on %s (not a tmpfs)", i, dest);
  }
  const char *src = m->source && *m->source ? m->source : type;
  if (rootfs_mount_on_fd(src, dst, type, flags, data ? data : o->data) < 0) {
    int e = errno;
    if (is_sysfs && (e == EPERM || e == EACCES) && (c->new_userns || !c->new_netns)) {
      /* sysfs needs a netns owned by our userns: fall back to the host's
       * /sys, bound recursively with the same flags (as runc does). */
      _cleanup_close_ int tree =
          sys_open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      const char *step = "clone /sys";
      if (tree >= 0 &&
          rootfs_bind_fd(tree, flags | MS_BIND | MS_REC, o->cleared, false, &step) == 0 &&
          sys_move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0)
        return rootfs_apply_mount_attrs(tree, o, dest, err);
    }
    return herr_errno(err, e, "mount %s on %s", type, dest);
  }
  bool label_mqueue = is_mqueue && label && *label;
  if (o->n_propagation == 0 && !o->rec_set && !o->rec_clr && covered < 0 && !label_mqueue)
    return 0;
  _cleanup_close_ int mnt = rootfs_reopen_mount(c->rootfs_fd, dest, dst);
  if (mnt < 0)
    return herr_sys(err, "mounts[%zu]: reopen %s after mounting", i, dest);
  if (label_mqueue) {
    _cleanup_close_ int root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 || fsetxattr(root, "security.selinux", label, strlen(label), 0) < 0)
      return herr_sys(err, "mounts[%zu]: label %s with mountLabel %s", i, dest, label);
  }
  if (covered >= 0) {
    _cleanup_close_ int to = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (to < 0)
      return herr_sys(err, "mounts[%zu]: tmpcopyup: open the tmpfs on %s", i, dest);
    if (rootfs_copyup(covered, to, dest, err) < 0)
      return herr_wrap(err, "mounts[%zu]", i);
  }
  return rootfs_apply_mount_attrs(mnt, o, dest, err);
}

int rootfs_mount_entry(struct rootfs_ctx *c, size_t i, herr_t *err)
{
  const struct spec_mount *m = &c->spec->mounts[i];
  struct mount_opts o;
  if (mount_opts_parse(m, &o, err) < 0)
    return herr_wrap(err, "mounts[%zu] (%s)", i, m->destination);
  _cleanup_free_ char *dest = pathsafe_clean(m->destination);
  int r;
  if (mount_is_bind(m, &o)) {
    o.flags |= MS_BIND;
    r = mount_bind(c, i, m, &o, dest, err);
  } else if (!m->type || !*m->type) {
    r = herr_set(err, 0, "mounts[%zu]: mount on %s has no type", i, dest);
  } else {
    r = mount_fs(c, i, m, &o, dest, err);
  }
  mount_opts_clear(&o);
  return r;
}
