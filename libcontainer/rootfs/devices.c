/* The container's /dev: the default devices (null, zero, full, random,
 * urandom, tty), linux.devices, /dev/ptmx -> pts/ptmx and the /proc/self/fd
 * links.  Nodes are mknod'ed, or bind-mounted from the host's path of the
 * same name in a user namespace (or when mknod is refused), as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

static const struct spec_device default_devices[] = {
    {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
    {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
    {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
    {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
    {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
    {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

bool rootfs_needs_dev(const struct spec *s)
{
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct spec_mount *m = &s->mounts[i];
    struct mount_opts o;
    if (mount_opts_parse(m, &o, NULL) < 0)
      continue;
    bool bind = mount_is_bind(m, &o);
    mount_opts_clear(&o);
    if (bind) {
      _cleanup_free_ char *d = pathsafe_clean(m->destination);
      if (strcmp(d, "/dev") == 0)
        return false;
    }
  }
  return true;
}

/* Bind the host's node at `host` onto parent/base (created as an empty file). */
static int bind_node(int parent, const char *base, const char *host)
{
  _cleanup_close_ int fd =
      openat(parent, base, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0 && errno == EEXIST)
    fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return rootfs_mount_on_fd(host, fd, NULL, MS_BIND, NULL);
}

static int create_node(struct rootfs_ctx *c, int parent, const char *base,
                       const struct spec_device *d, herr_t *err)
{
  mode_t type;
  switch (d->type) {
  case 'c':
  case 'u':
    type = S_IFCHR;
    break;
  case 'b':
    type = S_IFBLK;
    break;
  case 'p':
    type = S_IFIFO;
    break;
  default:
    return herr_set(err, 0, "device %s: unknown type '%c'", d->path, d->type);
  }
  if (c->new_userns) {
    if (bind_node(parent, base, d->path) < 0)
      return herr_sys(err, "bind device %s from the host", d->path);
    return 0;
  }
  mode_t mode = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
  if (mknodat(parent, base, type | mode, dev) < 0) {
    if (errno == EEXIST)
      return 0; /* keep what the image has, as runc does */
    if (errno == EPERM) {
      if (bind_node(parent, base, d->path) < 0)
        return herr_sys(err, "bind device %s from the host", d->path);
      return 0;
    }
    return herr_sys(err, "mknod %s", d->path);
  }
  uid_t uid = d->has_uid ? d->uid : 0;
  gid_t gid = d->has_gid ? d->gid : 0;
  if ((uid != 0 || gid != 0 || c->not_root) &&
      fchownat(parent, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return herr_sys(err, "chown device %s to %u:%u", d->path, uid, gid);
  return 0;
}

static int make_device(struct rootfs_ctx *c, int devfd, const struct spec_device *d, herr_t *err)
{
  _cleanup_free_ char *clean = pathsafe_clean(d->path);
  if (!pathsafe_has_prefix(clean, "/dev") || strcmp(clean, "/dev") == 0)
    return herr_set(err, 0, "device %s: path must be under /dev", d->path);
  const char *rel = clean + 5; /* below /dev */
  if (!strchr(rel, '/'))
    return create_node(c, devfd, rel, d, err);
  _cleanup_free_ char *base = NULL;
  _cleanup_close_ int parent = pathsafe_open_parent(c->rootfs_fd, clean, true, &base);
  if (parent < 0)
    return herr_sys(err, "device %s: parent directory", d->path);
  return create_node(c, parent, base, d, err);
}

static bool overridden(const struct spec *s, const char *path)
{
  if (!s->has_linux)
    return false;
  for (size_t i = 0; i < s->linux_.n_devices; i++)
    if (s->linux_.devices[i].path && strcmp(s->linux_.devices[i].path, path) == 0)
      return true;
  return false;
}

int rootfs_setup_dev(struct rootfs_ctx *c, herr_t *err)
{
  const struct spec *s = c->spec;
  _cleanup_close_ int devfd = pathsafe_create(c->rootfs_fd, "/dev", PATHSAFE_DIR, NULL);
  if (devfd < 0)
    return herr_sys(err, "open /dev in the rootfs");
  c->not_root = geteuid() != 0 || getegid() != 0;
  mode_t old = umask(0);
  int r = 0;
  for (size_t i = 0; r == 0 && i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
    if (!overridden(s, default_devices[i].path))
      r = create_node(c, devfd, default_devices[i].path + 5, &default_devices[i], err);
  for (size_t i = 0; r == 0 && s->has_linux && i < s->linux_.n_devices; i++) {
    const struct spec_device *d = &s->linux_.devices[i];
    if (strcmp(d->path, "/dev/ptmx") == 0)
      continue; /* always the devpts link below */
    r = make_device(c, devfd, d, err);
  }
  umask(old);
  if (r < 0)
    return -1;

  if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
    return herr_sys(err, "remove /dev/ptmx");
  if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
    return herr_sys(err, "symlink /dev/ptmx");
  static const char *const links[][2] = {
      {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  };
  for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
    if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
      return herr_sys(err, "symlink /dev/%s", links[i][1]);
  if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", devfd, "core") < 0 &&
      errno != EEXIST)
    return herr_sys(err, "symlink /dev/core");
  return 0;
}
