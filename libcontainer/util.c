#include "libcontainer/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

void *xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p)
    abort();
  return p;
}

void *xcalloc(size_t n, size_t m)
{
  void *p = calloc(n ? n : 1, m ? m : 1);
  if (!p)
    abort();
  return p;
}

void *xrealloc(void *p, size_t n)
{
  p = realloc(p, n ? n : 1);
  if (!p)
    abort();
  return p;
}

char *xstrdup(const char *s)
{
  if (!s)
    return NULL;
  char *r = strdup(s);
  if (!r)
    abort();
  return r;
}

char *xasprintf(const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  va_end(ap);
  return s;
}

int write_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

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
