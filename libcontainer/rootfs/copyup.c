/* "tmpcopyup": a tmpfs mounted over a directory of the image starts with a
 * copy of that directory (podman asks for it on its tmpfs mounts).  The
 * covered directory stays reachable through an fd opened before the mount,
 * so the copy reads the image, never a path that could have changed.  The
 * copy keeps types, modes, owners and times; it never follows symlinks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

#define COPYUP_MAX_DEPTH 128

static int copy_data(int in, int out, off_t size)
{
  while (size > 0) {
    ssize_t n = sendfile(out, in, NULL, (size_t)(size > (1 << 30) ? (1 << 30) : size));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      break; /* the file shrank */
    size -= n;
  }
  return 0;
}

static int copy_meta(int dirfd, const char *name, const struct stat *st, bool link)
{
  if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -1;
  /* After the chown, which clears set-id bits. */
  if (!link && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
    return -1;
  struct timespec t[2] = {st->st_atim, st->st_mtim};
  return utimensat(dirfd, name, t, AT_SYMLINK_NOFOLLOW);
}

static int copy_dir(int from, int to, int depth, const char *path, herr_t *err);

static int copy_entry(int from, int to, const char *name, int depth, const char *path, herr_t *err)
{
  struct stat st;
  if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return herr_sys(err, "tmpcopyup: stat %s/%s", path, name);
  switch (st.st_mode & S_IFMT) {
  case S_IFDIR: {
    if (mkdirat(to, name, 0700) < 0 && errno != EEXIST)
      return herr_sys(err, "tmpcopyup: mkdir %s/%s", path, name);
    _cleanup_close_ int sub_from =
        openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_from < 0 || sub_to < 0)
      return herr_sys(err, "tmpcopyup: open %s/%s", path, name);
    _cleanup_free_ char *sub = xasprintf("%s/%s", path, name);
    if (copy_dir(sub_from, sub_to, depth + 1, sub, err) < 0)
      return -1;
    break;
  }
  case S_IFREG: {
    _cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int out =
        openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (in < 0 || out < 0 || copy_data(in, out, st.st_size) < 0)
      return herr_sys(err, "tmpcopyup: copy %s/%s", path, name);
    break;
  }
  case S_IFLNK: {
    char target[4096];
    ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
    if (n < 0)
      return herr_sys(err, "tmpcopyup: readlink %s/%s", path, name);
    target[n] = '\0';
    if (symlinkat(target, to, name) < 0)
      return herr_sys(err, "tmpcopyup: symlink %s/%s", path, name);
    if (copy_meta(to, name, &st, true) < 0 && errno != EOPNOTSUPP)
      return herr_sys(err, "tmpcopyup: owner of %s/%s", path, name);
    return 0;
  }
  default: /* devices, fifos, sockets */
    if (mknodat(to, name, st.st_mode & ~(mode_t)07777, st.st_rdev) < 0)
      return herr_sys(err, "tmpcopyup: mknod %s/%s", path, name);
  }
  if (copy_meta(to, name, &st, false) < 0)
    return herr_sys(err, "tmpcopyup: owner and mode of %s/%s", path, name);
  return 0;
}

static int copy_dir(int from, int to, int depth, const char *path, herr_t *err)
{
  if (depth > COPYUP_MAX_DEPTH)
    return herr_set(err, 0, "tmpcopyup: %s: too deep", path);
  int dfd = fcntl(from, F_DUPFD_CLOEXEC, 0);
  if (dfd < 0)
    return herr_sys(err, "tmpcopyup: %s", path);
  DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return herr_sys(err, "tmpcopyup: read %s", path);
  }
  int r = 0;
  while (r == 0) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e) {
      if (errno)
        r = herr_sys(err, "tmpcopyup: read %s", path);
      break;
    }
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      r = copy_entry(from, to, e->d_name, depth, path, err);
  }
  closedir(d);
  return r;
}

int rootfs_copyup(int from_dir, int to_dir, const char *dest, herr_t *err)
{
  return copy_dir(from_dir, to_dir, 0, dest, err);
}
