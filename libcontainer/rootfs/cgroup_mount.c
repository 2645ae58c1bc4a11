/* `type: cgroup` mounts: the container's own view of the cgroup hierarchies.
 * Pure cgroup v2 host: a cgroup2 mount (or a bind of the container's cgroup
 * when cgroup2 cannot be mounted).  v1 or hybrid host: a tmpfs with, for each
 * hierarchy mounted under /sys/fs/cgroup, a bind of this process's cgroup
 * directory (or a fresh mount with a cgroup namespace), as runc does.  The
 * init must already be in its cgroups when this runs. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_DEFAULT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* The path of this process in the hierarchy described by `ctrls` ("" for
 * cgroup2) from /proc/self/cgroup.  Returns a pointer into buf or NULL. */
static const char *own_cgroup(char *buf, const char *ctrls_super, bool v2)
{
  for (char *line = buf, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    size_t len = next ? (size_t)(next - line) : strlen(line);
    if (next)
      next++;
    char *c1 = memchr(line, ':', len);
    char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
    if (!c2)
      continue;
    const char *ctrls = c1 + 1;
    size_t clen = (size_t)(c2 - ctrls);
    if (v2) {
      if (clen != 0)
        continue;
    } else {
      if (clen == 0)
        continue;
      /* Every controller of the line must be one of the mount's options. */
      bool all = true;
      const char *p = ctrls;
      while (p < c2 && all) {
        const char *e = memchr(p, ',', (size_t)(c2 - p));
        if (!e)
          e = c2;
        size_t tl = (size_t)(e - p);
        bool found = false;
        for (const char *q = ctrls_super; *q;) {
          const char *qe = strchrnul(q, ',');
          if ((size_t)(qe - q) == tl && strncmp(q, p, tl) == 0)
            found = true;
          q = *qe ? qe + 1 : qe;
        }
        all = found;
        p = e + 1;
      }
      if (!all)
        continue;
    }
    static char path[4096];
    size_t plen = len - (size_t)(c2 + 1 - line);
    if (plen >= sizeof(path))
      return NULL;
    memcpy(path, c2 + 1, plen);
    path[plen] = '\0';
    return path;
  }
  return NULL;
}

/* Is `tok` (len bytes) a controller of some hierarchy in /proc/self/cgroup? */
static bool is_controller(const char *self, const char *tok, size_t len)
{
  for (const char *line = self; line && *line;) {
    const char *nl = strchrnul(line, '\n');
    const char *c1 = memchr(line, ':', (size_t)(nl - line));
    const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(nl - c1 - 1)) : NULL;
    for (const char *p = c1 ? c1 + 1 : nl; c2 && p < c2;) {
      const char *e = memchr(p, ',', (size_t)(c2 - p));
      if (!e)
        e = c2;
      if ((size_t)(e - p) == len && strncmp(p, tok, len) == 0)
        return true;
      p = e + 1;
    }
    line = *nl ? nl + 1 : nl;
  }
  return false;
}

/* The controllers of a v1 mount's super options ("rw,cpu,cpuacct,noprefix"
 * -> "cpu,cpuacct"), to mount the hierarchy again in a cgroup namespace. */
static char *controllers_of(const char *super, const char *self)
{
  char *out = xcalloc(1, strlen(super) + 1);
  for (const char *q = super; *q;) {
    const char *qe = strchrnul(q, ',');
    size_t l = (size_t)(qe - q);
    if (strncmp(q, "name=", 5) == 0 || is_controller(self, q, l)) {
      if (*out)
        strcat(out, ",");
      strncat(out, q, l);
    }
    q = *qe ? qe + 1 : qe;
  }
  return out;
}

/* Bind src onto dstfd/dstname (dstname "" : dstfd itself). */
static int bind_path(const char *src, int dstfd, const char *dstname, unsigned long flags,
                     unsigned long cleared, bool rec)
{
  _cleanup_close_ int tree =
      sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
  if (tree < 0)
    return -1;
  const char *step;
  if (rootfs_bind_fd(tree, flags | MS_BIND, cleared, false, &step) < 0)
    return -1;
  return sys_move_mount(tree, "", dstfd, dstname,
                        MOVE_MOUNT_F_EMPTY_PATH | (*dstname ? 0 : MOVE_MOUNT_T_EMPTY_PATH));
}

static int mount_v2(struct rootfs_ctx *c, size_t i, const struct mount_opts *o, const char *dest,
                    int dstfd, bool cgroupns, herr_t *err)
{
  /* A cgroup2 mount made in the initial cgroup namespace re-applies its
   * options (nsdelegate, memory_recursiveprot, ...) to the host's whole
   * hierarchy: only mount one inside a cgroup namespace, otherwise bind the
   * host's tree (which is the view such a mount would give anyway). */
  bool mounted =
      cgroupns && rootfs_mount_on_fd("cgroup2", dstfd, "cgroup2", o->flags, o->data) == 0;
  if (!mounted) {
    if (cgroupns && errno != EPERM && errno != EBUSY)
      return herr_sys(err, "mount cgroup2 on %s", dest);
    if (bind_path(CGROUP_ROOT, dstfd, "", o->flags, o->cleared, true) < 0)
      return herr_sys(err, "mounts[%zu]: bind " CGROUP_ROOT " on %s", i, dest);
  }
  _cleanup_close_ int mnt = rootfs_reopen_mount(c->rootfs_fd, dest, dstfd);
  if (mnt < 0)
    return herr_sys(err, "mounts[%zu]: reopen %s after mounting", i, dest);
  return rootfs_apply_mount_attrs(mnt, o, dest, err);
}

int rootfs_mount_cgroup(struct rootfs_ctx *c, size_t i, const struct mount_opts *o, int dstfd,
                        herr_t *err)
{
  _cleanup_free_ char *dest = pathsafe_clean(c->spec->mounts[i].destination);
  bool cgroupns = spec_find_ns(c->spec, SPEC_NS_CGROUP) != NULL;
  struct statfs sfs;
  if (statfs(CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    return mount_v2(c, i, o, dest, dstfd, cgroupns, err);

  if (rootfs_mount_on_fd("tmpfs", dstfd, "tmpfs", CGROUP_DEFAULT_FLAGS, "mode=755") < 0)
    return herr_sys(err, "mount tmpfs on %s", dest);
  _cleanup_close_ int tmp = rootfs_reopen_mount(c->rootfs_fd, dest, dstfd);
  if (tmp < 0)
    return herr_sys(err, "mounts[%zu]: reopen %s after mounting", i, dest);

  _cleanup_free_ char *self = NULL, *info = NULL;
  if (c->mountinfo)
    info = xstrdup(c->mountinfo); /* parsed in place */
  if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err) < 0 ||
      (!info && read_file_at(AT_FDCWD, "/proc/self/mountinfo", &info, NULL, err) < 0))
    return herr_wrap(err, "mounts[%zu]: cgroup on %s", i, dest);

  unsigned long flags = o->flags | CGROUP_DEFAULT_FLAGS;
  for (char *line = info, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    /* id parent maj:min root mountpoint opts [optional...] - fstype source super */
    char *f[32];
    int sepi, nf = mountinfo_fields(line, f, 32, &sepi);
    if (sepi < 0 || sepi + 3 >= nf)
      continue;
    const char *fstype = f[sepi + 1], *super = f[sepi + 3];
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0)
      continue;
    const char *mp = f[4], *root = f[3];
    if (strncmp(mp, CGROUP_ROOT "/", sizeof(CGROUP_ROOT)) != 0 ||
        strchr(mp + sizeof(CGROUP_ROOT), '/'))
      continue;
    const char *name = mp + sizeof(CGROUP_ROOT);
    if (mkdirat(tmp, name, 0755) < 0 && errno != EEXIST)
      return herr_sys(err, "mounts[%zu]: mkdir %s/%s", i, dest, name);
    /* tmp is our fresh tmpfs, nobody else can reach it: plain names are safe. */
    if (cgroupns) {
      _cleanup_close_ int sub = openat(tmp, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return herr_sys(err, "mounts[%zu]: open %s/%s", i, dest, name);
      _cleanup_free_ char *ctrls = v2 ? NULL : controllers_of(super, self);
      if (rootfs_mount_on_fd("cgroup", sub, v2 ? "cgroup2" : "cgroup", flags, ctrls) < 0)
        return herr_sys(err, "mount cgroup on %s/%s", dest, name);
    } else {
      const char *own = own_cgroup(self, super, v2);
      if (!own)
        continue; /* a hierarchy this process is not in (e.g. unused name=) */
      const char *rel = own;
      size_t rl = strlen(root);
      if (strcmp(root, "/") != 0 && strncmp(own, root, rl) == 0)
        rel = own + rl;
      _cleanup_free_ char *src = xasprintf("%s%s", mp, strcmp(rel, "/") == 0 ? "" : rel);
      if (bind_path(src, tmp, name, flags, o->cleared, false) < 0)
        return herr_sys(err, "mounts[%zu]: bind %s on %s/%s", i, src, dest, name);
    }
    /* Co-mounted controllers ("cpu,cpuacct"): a link per controller. */
    if (strchr(name, ',')) {
      _cleanup_free_ char *copy = xstrdup(name);
      char *s2 = NULL;
      for (char *t = strtok_r(copy, ",", &s2); t; t = strtok_r(NULL, ",", &s2))
        if (symlinkat(name, tmp, t) < 0 && errno != EEXIST)
          return herr_sys(err, "mounts[%zu]: symlink %s/%s", i, dest, t);
    }
  }
  if (o->flags & MS_RDONLY) {
    struct hutch_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (sys_mount_setattr(tmp, "", AT_EMPTY_PATH, &a) < 0)
      return herr_sys(err, "remount %s read-only", dest);
  }
  return rootfs_apply_mount_attrs(tmp, o, dest, err);
}
