/* fd and file helpers (see fileio.h). */
#include "libcontainer/utils/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

ssize_t read_all_fd(int fd, char **out)
{
  size_t cap = 4096, len = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (len + 1 >= cap) {
      cap *= 2;
      buf = xrealloc(buf, cap);
    }
    ssize_t n = read(fd, buf + len, cap - len - 1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int saved = errno;
      free(buf);
      errno = saved;
      return -1;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  buf[len] = '\0';
  *out = buf;
  return (ssize_t)len;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, int create,
                  herr_t *err)
{
  int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
  _cleanup_close_ int fd = openat(dirfd, path, flags, 0644);
  if (fd < 0)
    return herr_sys(err, "open %s", path);
  if (write_all(fd, data, len) < 0)
    return herr_sys(err, "write %s", path);
  return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, herr_t *err)
{
  _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "open %s", path);
  ssize_t n = read_all_fd(fd, out);
  if (n < 0)
    return herr_sys(err, "read %s", path);
  if (len)
    *len = (size_t)n;
  return 0;
}

ssize_t send_with_fds(int sock, const void *data, size_t len, const int *fds, size_t nfds)
{
  union {
    char buf[CMSG_SPACE(sizeof(int) * 32)];
    struct cmsghdr align;
  } u;
  if (nfds > 32) {
    errno = EMSGSIZE;
    return -1;
  }
  struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  if (nfds > 0) {
    memset(&u, 0, sizeof(u));
    mh.msg_control = u.buf;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  do
    n = sendmsg(sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

/* openat(dirfd, path, O_WRONLY | O_CREAT | flags) and write data; removed
 * again when the write fails. */
static int write_whole(int dirfd, const char *path, int flags, const char *data, size_t len,
                       mode_t mode, herr_t *err)
{
  _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode);
  if (fd < 0)
    return herr_sys(err, "open %s", path);
  if (write_all(fd, data, len) < 0) {
    herr_sys(err, "write %s", path);
    unlinkat(dirfd, path, 0);
    return -1;
  }
  return 0;
}

static int write_atomic(int dirfd, const char *path, int flags, const char *data, size_t len,
                        mode_t mode, herr_t *err)
{
  _cleanup_free_ char *tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
  /* No fsync: rename() is what makes the update atomic for readers, and the
   * state does not outlive a reboot (it describes live processes); an fsync
   * cost 2-16 ms per file on an ext4 --root. */
  if (write_whole(dirfd, tmp, O_TRUNC | flags, data, len, mode, err) < 0)
    return -1;
  if (renameat(dirfd, tmp, dirfd, path) < 0) {
    herr_sys(err, "rename %s to %s", tmp, path);
    unlinkat(dirfd, tmp, 0);
    return -1;
  }
  return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, herr_t *err)
{
  return write_atomic(AT_FDCWD, path, 0, data, len, mode, err);
}

int write_file_new(const char *path, const char *data, size_t len, mode_t mode, herr_t *err)
{
  return write_whole(AT_FDCWD, path, O_EXCL, data, len, mode, err);
}

int write_file_atomic_nofollow(int dirfd, const char *name, const char *data, size_t len,
                               mode_t mode, herr_t *err)
{
  return write_atomic(dirfd, name, O_NOFOLLOW, data, len, mode, err);
}

int write_file_new_nofollow(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                            herr_t *err)
{
  return write_whole(dirfd, name, O_EXCL | O_NOFOLLOW, data, len, mode, err);
}

int read_file_nofollow(int dirfd, const char *name, char **out, size_t *len, herr_t *err)
{
  _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "open %s", name);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return herr_sys(err, "stat %s", name);
  if (!S_ISREG(st.st_mode))
    return herr_set(err, EINVAL, "%s: not a regular file", name);
  ssize_t n = read_all_fd(fd, out);
  if (n < 0)
    return herr_sys(err, "read %s", name);
  if (len)
    *len = (size_t)n;
  return 0;
}

int mkdir_p(const char *path, mode_t mode, herr_t *err)
{
  _cleanup_free_ char *p = xstrdup(path);
  size_t len = strlen(p);
  for (size_t i = 1; i <= len; i++) {
    if (p[i] != '/' && p[i] != '\0')
      continue;
    char saved = p[i];
    p[i] = '\0';
    if (mkdir(p, mode) < 0 && errno != EEXIST)
      return herr_sys(err, "mkdir %s", p);
    p[i] = saved;
  }
  return 0;
}

int write_pid_file(const char *path, pid_t pid, herr_t *err)
{
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
  if (write_file_atomic(path, buf, (size_t)len, 0644, err) < 0)
    return herr_wrap(err, "--pid-file");
  return 0;
}
