/* The protocol between hutch and the children it forks (see sync.h). */
#include "libcontainer/process/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libcontainer/utils/fileio.h"

int sync_send_msg(int sock, enum sync_type type, int errnum, int pid, const char *payload,
                  const int *fds, size_t nfds)
{
  size_t plen = payload ? strlen(payload) + 1 : 0;
  if (plen > SYNC_MAX_PAYLOAD || nfds > SYNC_MAX_FDS) {
    errno = EMSGSIZE;
    return -1;
  }
  struct sync_msg m = {.type = type, .errnum = errnum, .pid = pid, .len = (uint32_t)plen};
  /* One packet: the header and the payload side by side. */
  _cleanup_free_ char *buf = NULL;
  const void *data = &m;
  if (plen) {
    buf = xmalloc(sizeof(m) + plen);
    memcpy(buf, &m, sizeof(m));
    memcpy(buf + sizeof(m), payload, plen);
    data = buf;
  }
  ssize_t n = send_with_fds(sock, data, sizeof(m) + plen, fds, nfds);
  if (n < 0)
    return -1;
  if ((size_t)n != sizeof(m) + plen) {
    errno = EMSGSIZE;
    return -1;
  }
  return 0;
}

int sync_send(int sock, enum sync_type type, int errnum, int pid, const char *payload)
{
  return sync_send_msg(sock, type, errnum, pid, payload, NULL, 0);
}

int sync_send_fd(int sock, enum sync_type type, int passfd)
{
  return sync_send_msg(sock, type, 0, 0, NULL, &passfd, passfd >= 0 ? 1 : 0);
}

int sync_send_fds(int sock, enum sync_type type, const int *fds, size_t nfds)
{
  return sync_send_msg(sock, type, 0, 0, NULL, fds, nfds);
}

static void close_all(int *fds, size_t *nfds)
{
  for (size_t i = 0; i < *nfds; i++)
    close(fds[i]);
  *nfds = 0;
}

int sync_recv_fds(int sock, struct sync_msg *m, char **payload, int *fds, size_t max, size_t *nfds)
{
  *nfds = 0;
  if (payload)
    *payload = NULL;
  _cleanup_free_ char *buf = xmalloc(sizeof(*m) + SYNC_MAX_PAYLOAD);
  struct iovec iov = {buf, sizeof(*m) + SYNC_MAX_PAYLOAD};
  union {
    char cbuf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
    struct cmsghdr align;
  } u;
  struct msghdr mh = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.cbuf, .msg_controllen = sizeof(u.cbuf)};
  ssize_t n;
  do
    n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n == 0 ? 0 : -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < k; i++) {
      int got;
      memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (fds && *nfds < max)
        fds[(*nfds)++] = got;
      else
        close(got);
    }
  }
  /* Cut short (by the sender or by our buffer), fds lost, or not what its
   * header says: nothing of it is used. */
  if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    close_all(fds, nfds);
    errno = EMSGSIZE;
    return -1;
  }
  if ((size_t)n < sizeof(*m)) {
    close_all(fds, nfds);
    errno = EPROTO;
    return -1;
  }
  memcpy(m, buf, sizeof(*m));
  size_t plen = (size_t)n - sizeof(*m);
  if (plen != m->len || (plen && buf[sizeof(*m) + plen - 1] != '\0')) {
    close_all(fds, nfds);
    errno = EPROTO;
    return -1;
  }
  if (plen && payload) {
    *payload = xmalloc(plen);
    memcpy(*payload, buf + sizeof(*m), plen);
  }
  return 1;
}

int sync_recv_fd(int sock, struct sync_msg *m, char **payload, int *rfd)
{
  size_t n = 0;
  int got = -1;
  int r = sync_recv_fds(sock, m, payload, &got, 1, &n);
  if (rfd)
    *rfd = n ? got : -1;
  else if (n)
    close(got);
  return r;
}

int sync_recv(int sock, struct sync_msg *m, char **payload)
{
  return sync_recv_fds(sock, m, payload, NULL, 0, &(size_t){0});
}

void sync_send_error(int sock, herr_t *err)
{
  const char *msg = (err && *err && (*err)->msg) ? (*err)->msg : "unknown error";
  int errnum = (err && *err) ? (*err)->errnum : 0;
  _cleanup_free_ char *cut = NULL;
  if (strlen(msg) >= SYNC_MAX_PAYLOAD)
    msg = cut = xasprintf("%.*s", SYNC_MAX_PAYLOAD - 1, msg);
  if (sync_send(sock, SYNC_ERROR, errnum, 0, msg) < 0) {
    /* The other side is gone: nobody to tell. */
  }
}

int sync_error(const struct sync_msg *m, const char *payload, herr_t *err)
{
  return herr_from_parts(err, m->errnum, payload && *payload ? payload : "unknown error");
}

int sync_expect(int sock, enum sync_type type, char **payload, const char *what, herr_t *err)
{
  struct sync_msg m;
  _cleanup_free_ char *p = NULL;
  int r = sync_recv(sock, &m, &p);
  if (r < 0)
    return herr_sys(err, "%s: reading the sync socket", what);
  if (r == 0)
    return herr_set(err, EPIPE, "%s: the other side exited", what);
  if (m.type == SYNC_ERROR)
    return sync_error(&m, p, err);
  if (m.type != type)
    return herr_set(err, EPROTO, "%s: unexpected sync message %u (wanted %u)", what, m.type,
                    (unsigned)type);
  if (payload)
    *payload = steal_pointer(&p);
  return 0;
}
