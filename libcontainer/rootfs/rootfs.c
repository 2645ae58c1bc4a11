/* The container's root filesystem: propagation, the rootfs bind, `mounts`,
 * /dev, pivot_root (or MS_MOVE + chroot), then sysctl, readonlyPaths,
 * maskedPaths, read-only remounts and rootfsPropagation. */
#include "libcontainer/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

static const char *propagation_name(const struct spec *s)
{
  if (s->has_linux && s->linux_.rootfs_propagation && *s->linux_.rootfs_propagation)
    return s->linux_.rootfs_propagation;
  return NULL;
}

/* Make the mount holding `path` (or its nearest mount point above) private
 * or slave: pivot_root refuses a shared parent, and the rootfs bind must not
 * propagate. */
static int rootfs_parent_unshared(const char *rootfs, unsigned long prop, herr_t *err)
{
  unsigned long flag = (prop & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
  _cleanup_free_ char *path = xstrdup(rootfs);
  for (;;) {
    if (mount(NULL, path, NULL, flag, NULL) == 0)
      return 0;
    if (errno != EINVAL || strcmp(path, "/") == 0)
      return herr_sys(err, "make the parent mount of the rootfs (%s) private", path);
    char *slash = strrchr(path, '/');
    if (slash == path)
      slash[1] = '\0';
    else
      *slash = '\0';
  }
}

int rootfs_prepare(struct rootfs_ctx *c, herr_t *err)
{
  const struct spec *s = c->spec;
  c->rootfs_fd = -1;
  if (!spec_find_ns(s, SPEC_NS_MOUNT)) {
    c->rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c->rootfs_fd < 0)
      return herr_sys(err, "open rootfs %s", c->rootfs);
    return 0;
  }
  const char *pname = propagation_name(s);
  unsigned long prop = MS_SLAVE | MS_REC;
  if (pname)
    mount_propagation_from_name(pname, &prop);
  if (mount(NULL, "/", NULL, prop, NULL) < 0)
    return herr_sys(err, "make / %s", pname ? pname : "rslave");
  /* After a recursive slave/private change nothing is shared any more. */
  if (!((prop & MS_REC) && (prop & (MS_SLAVE | MS_PRIVATE))) &&
      rootfs_parent_unshared(c->rootfs, prop, err) < 0)
    return -1;
  if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return herr_sys(err, "bind the rootfs %s onto itself", c->rootfs);
  c->rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c->rootfs_fd < 0)
    return herr_sys(err, "open rootfs %s", c->rootfs);

  for (size_t i = 0; i < s->n_mounts; i++)
    if (rootfs_mount_entry(c, i, err) < 0)
      return -1;
  if (rootfs_needs_dev(s)) {
    if (c->need_cgroup) /* the devices cgroup governs mknod */
      c->need_cgroup(c->need_cgroup_arg);
    if (rootfs_setup_dev(c, err) < 0)
      return -1;
  }
  return 0;
}

/* Decode the octal escapes of a mountinfo field in place ("\040" -> ' '). */
static void unescape(char *s)
{
  char *o = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
        p[3] <= '7') {
      *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 3;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

/* --no-pivot: the host's full procfs/sysfs mounts would stay reachable
 * around a chroot (and let the container mount new ones), so detach them
 * (or cover them) first, then move the rootfs onto / and chroot. */
static int move_root(struct rootfs_ctx *c, herr_t *err)
{
  _cleanup_free_ char *info = NULL;
  if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &info, NULL, err) < 0)
    return -1;
  size_t rlen = strlen(c->rootfs);
  for (char *line = info, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    char *f[32];
    int sepi, nf = mountinfo_fields(line, f, 32, &sepi);
    if (sepi < 0 || sepi + 1 >= nf)
      continue;
    const char *fstype = f[sepi + 1];
    if ((strcmp(fstype, "proc") != 0 && strcmp(fstype, "sysfs") != 0) || strcmp(f[3], "/") != 0)
      continue;
    char *mp = f[4];
    unescape(mp);
    if (strncmp(mp, c->rootfs, rlen) == 0 && (mp[rlen] == '/' || mp[rlen] == '\0'))
      continue;
    if (mount(NULL, mp, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
      if (errno == ENOENT || errno == EINVAL)
        continue; /* already gone with a parent */
      return herr_sys(err, "no-pivot: make %s rslave", mp);
    }
    if (umount2(mp, MNT_DETACH) < 0) {
      if (errno != EINVAL && errno != EPERM)
        return herr_sys(err, "no-pivot: unmount %s", mp);
      if (mount("tmpfs", mp, "tmpfs", MS_RDONLY, NULL) < 0)
        return herr_sys(err, "no-pivot: cover %s", mp);
    }
  }
  if (fchdir(c->rootfs_fd) < 0)
    return herr_sys(err, "chdir %s", c->rootfs);
  if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
    return herr_sys(err, "no-pivot: move the rootfs onto /");
  if (chroot(".") < 0)
    return herr_sys(err, "chroot %s", c->rootfs);
  return 0;
}

static int pivot(struct rootfs_ctx *c, herr_t *err)
{
  _cleanup_close_ int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0)
    return herr_sys(err, "open /");
  if (fchdir(c->rootfs_fd) < 0)
    return herr_sys(err, "chdir %s", c->rootfs);
  /* pivot_root(".", "."): the old root ends up stacked under the new one
   * and is reachable as our cwd once we chdir to it. */
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return herr_sys(err, "pivot_root into %s", c->rootfs);
  if (fchdir(oldroot) < 0)
    return herr_sys(err, "chdir to the old root");
  /* rslave first so the unmount does not propagate to the host. */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return herr_sys(err, "make the old root rslave");
  if (umount2(".", MNT_DETACH) < 0)
    return herr_sys(err, "unmount the old root");
  return 0;
}

/* stdio on the host's /dev/null: point it at the container's. */
static int reopen_dev_null(herr_t *err)
{
  int nfd = -1;
  for (int fd = 0; fd < 3; fd++) {
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
      continue;
    if (nfd < 0) {
      nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
      struct stat ns;
      if (nfd < 0 || fstat(nfd, &ns) < 0 || !S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3)) {
        if (nfd >= 0)
          close(nfd);
        return herr_set(err, 0, "the container's /dev/null is not the null device");
      }
    }
    if (dup3(nfd, fd, 0) < 0) {
      close(nfd);
      return herr_sys(err, "reopen /dev/null on fd %d", fd);
    }
  }
  if (nfd >= 0)
    close(nfd);
  return 0;
}

int rootfs_pivot(struct rootfs_ctx *c, herr_t *err)
{
  const struct spec *s = c->spec;
  if (c->rootfs_fd < 0)
    return herr_set(err, 0, "rootfs: pivot before prepare");
  int r;
  if (!spec_find_ns(s, SPEC_NS_MOUNT)) {
    r = fchdir(c->rootfs_fd) < 0 || chroot(".") < 0 ? herr_sys(err, "chroot %s", c->rootfs) : 0;
  } else if (c->no_pivot) {
    r = move_root(c, err);
  } else {
    r = pivot(c, err);
  }
  close(c->rootfs_fd);
  c->rootfs_fd = -1;
  if (r < 0)
    return -1;
  if (chdir("/") < 0)
    return herr_sys(err, "chdir /");
  if (spec_find_ns(s, SPEC_NS_MOUNT) && rootfs_needs_dev(s) && reopen_dev_null(err) < 0)
    return -1;
  if (s->has_process && s->process.cwd && *s->process.cwd && strcmp(s->process.cwd, "/") != 0) {
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int cwd =
        root < 0 ? -1 : pathsafe_create(root, s->process.cwd, PATHSAFE_DIR, NULL);
    if (cwd < 0)
      return herr_sys(err, "process.cwd %s", s->process.cwd);
  }
  return 0;
}

int rootfs_finalize(struct rootfs_ctx *c, herr_t *err)
{
  const struct spec *s = c->spec;
  if (rootfs_apply_sysctl(s, err) < 0)
    return -1;
  if (!spec_find_ns(s, SPEC_NS_MOUNT))
    return 0;
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return herr_sys(err, "open /");
  if (rootfs_readonly_paths(root, s, err) < 0 || rootfs_mask_paths(root, s, err) < 0)
    return -1;

  /* tmpfs mounts and /dev were left writable for prepare: now honour "ro". */
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct spec_mount *m = &s->mounts[i];
    struct mount_opts o;
    if (mount_opts_parse(m, &o, err) < 0)
      return herr_wrap(err, "mounts[%zu] (%s)", i, m->destination);
    bool bind = mount_is_bind(m, &o);
    mount_opts_clear(&o);
    _cleanup_free_ char *dest = pathsafe_clean(m->destination);
    if (bind || !(o.flags & MS_RDONLY) ||
        !((m->type && strcmp(m->type, "tmpfs") == 0) || strcmp(dest, "/dev") == 0))
      continue;
    _cleanup_close_ int fd = pathsafe_open(root, dest, O_PATH);
    struct hutch_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (fd < 0 || sys_mount_setattr(fd, "", AT_EMPTY_PATH, &a) < 0)
      return herr_sys(err, "remount %s read-only", m->destination);
  }
  if (s->has_root && s->root.readonly) {
    struct hutch_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (sys_mount_setattr(root, "", AT_EMPTY_PATH, &a) < 0)
      return herr_sys(err, "remount / read-only (root.readonly)");
  }
  const char *pname = propagation_name(s);
  unsigned long prop;
  /* private/slave were applied in prepare; shared/unbindable apply to the
   * new / only (doing it earlier would affect the host's mounts). */
  if (pname && mount_propagation_from_name(pname, &prop) == 0 &&
      !(prop & (MS_PRIVATE | MS_SLAVE))) {
    struct hutch_mount_attr a = {.propagation = prop & ~(unsigned long)MS_REC};
    if (sys_mount_setattr(root, "", AT_EMPTY_PATH | ((prop & MS_REC) ? AT_RECURSIVE : 0), &a) < 0)
      return herr_sys(err, "set the propagation of / to %s", pname);
  }
  return 0;
}

int mountinfo_fields(char *line, char **f, int max, int *sepi)
{
  int nf = 0;
  char *save = NULL;
  *sepi = -1;
  for (char *t = strtok_r(line, " ", &save); t && nf < max; t = strtok_r(NULL, " ", &save)) {
    if (*sepi < 0 && nf >= 6 && strcmp(t, "-") == 0)
      *sepi = nf;
    f[nf++] = t;
  }
  return nf;
}
