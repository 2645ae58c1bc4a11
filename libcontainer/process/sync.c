/* The socketpair protocol between hutch and the container init. */
#include "libcontainer/process/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "libcontainer/utils/fileio.h"
#include <unistd.h>

int sync_send_fd(int fd, enum sync_type type, int passfd)
{
  return sync_send_fds(fd, type, &passfd, passfd >= 0 ? 1 : 0);
}

int sync_send_fds(int fd, enum sync_type type, const int *fds, size_t nfds)
{
  struct sync_msg m = {.type = type};
  if (nfds > SYNC_MAX_FDS) {
    errno = EMSGSIZE;
    return -1;
  }
  return send_with_fds(fd, &m, sizeof(m), fds, nfds) < 0 ? -1 : 0;
}

int sync_send(int fd, enum sync_type type, int errnum, int pid, const char *payload)
{
  size_t plen = payload ? strlen(payload) + 1 : 0;
  if (plen > SYNC_MAX_PAYLOAD)
    plen = SYNC_MAX_PAYLOAD;
  struct sync_msg m = {.type = type, .errnum = errnum, .pid = pid, .len = (uint32_t)plen};
  struct iovec iov[2] = {{&m, sizeof(m)}, {(void *)payload, plen}};
  struct msghdr mh = {.msg_iov = iov, .msg_iovlen = plen ? 2 : 1};
  ssize_t n;
  do
    n = sendmsg(fd, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  if ((size_t)n != sizeof(m) + plen) {
    errno = EMSGSIZE;
    return -1;
  }
  return 0;
}

int sync_recv_fd(int fd, struct sync_msg *m, char **payload, int *rfd)
{
  size_t n = 0;
  int got = -1;
  int r = sync_recv_fds(fd, m, payload, &got, 1, &n);
  if (rfd)
    *rfd = n ? got : -1;
  else if (n)
    close(got);
  return r;
}

int sync_recv_fds(int fd, struct sync_msg *m, char **payload, int *fds, size_t max, size_t *nfds)
{
  *nfds = 0;
  if (payload)
    *payload = NULL;
  char *buf = xmalloc(sizeof(*m) + SYNC_MAX_PAYLOAD + 1);
  struct iovec iov = {buf, sizeof(*m) + SYNC_MAX_PAYLOAD};
  union {
    char cbuf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
    struct cmsghdr align;
  } u;
  struct msghdr mh = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.cbuf, .msg_controllen = sizeof(u.cbuf)};
  ssize_t n;
  do
    n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    free(buf);
    return n == 0 ? 0 : -1;
  }
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < k; i++) {
        int got;
        memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        if (*nfds < max)
          fds[(*nfds)++] = got;
        else
          close(got);
      }
    }
  }
  if ((size_t)n < sizeof(*m)) {
    free(buf);
    for (size_t i = 0; i < *nfds; i++)
      close(fds[i]);
    *nfds = 0;
    errno = EPROTO;
    return -1;
  }
  memcpy(m, buf, sizeof(*m));
  size_t plen = (size_t)n - sizeof(*m);
  if (plen > 0 && payload) {
    char *p = xmalloc(plen + 1);
    memcpy(p, buf + sizeof(*m), plen);
    p[plen] = '\0';
    *payload = p;
  }
  free(buf);
  return 1;
}

int sync_recv(int fd, struct sync_msg *m, char **payload)
{
  return sync_recv_fd(fd, m, payload, NULL);
}

void sync_send_error(int fd, herr_t *err)
{
  const char *msg = (err && *err && (*err)->msg) ? (*err)->msg : "unknown error";
  int errnum = (err && *err) ? (*err)->errnum : 0;
  sync_send(fd, SYNC_ERROR, errnum, 0, msg);
}

int sync_expect(int fd, enum sync_type type, char **payload, const char *what, herr_t *err)
{
  struct sync_msg m;
  char *p = NULL;
  int r = sync_recv(fd, &m, &p);
  if (r < 0)
    return herr_sys(err, "%s: reading the sync socket", what);
  if (r == 0)
    return herr_set(err, EPIPE, "%s: the other side exited", what);
  if (m.type == SYNC_ERROR) {
    herr_from_parts(err, m.errnum, p ? p : "unknown error");
    free(p);
    return -1;
  }
  if (m.type != type) {
    free(p);
    return herr_set(err, EPROTO, "%s: unexpected sync message %u (wanted %u)", what, m.type,
                    (unsigned)type);
  }
  if (payload)
    *payload = p;
  else
    free(p);
  return 0;
}
