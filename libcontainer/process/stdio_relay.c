/* The foreground stdio relay (see stdio_relay.h). */
#include "libcontainer/process/stdio_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/process/process.h"
#include "libcontainer/process/tty_relay.h"

#define RELAY_BUF (64 * 1024)
#define RELAY_DRAIN_MS 200

void stdio_relay_init(struct stdio_relay *r)
{
  for (int i = 0; i < 3; i++)
    r->child[i] = r->ours[i] = r->caller[i] = r->restore[i] = -1;
  r->stop[0] = r->stop[1] = -1;
  r->copier = -1;
}

bool stdio_relay_needs(const struct stat *st, int fd, uint32_t uid, uint32_t gid,
                       const uint32_t *groups, size_t n_groups)
{
  bool tty = S_ISCHR(st->st_mode) && isatty(fd);
  if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode) && !tty)
    return false; /* sockets cannot be reopened; /dev/null and the like are shared */
  mode_t need = fd == 0 ? 4 : 2;
  mode_t bits = st->st_mode & 7;
  if (uid != STDIO_ID_UNKNOWN && st->st_uid == uid) {
    bits = (st->st_mode >> 6) & 7;
  } else {
    bool in_group = gid != STDIO_ID_UNKNOWN && st->st_gid == gid;
    for (size_t i = 0; !in_group && i < n_groups; i++)
      in_group = groups[i] != STDIO_ID_UNKNOWN && st->st_gid == groups[i];
    if (in_group)
      bits = (st->st_mode >> 3) & 7;
  }
  return (bits & need) != need;
}

uint32_t stdio_relay_host_id(const struct spec *s, bool gid, uint32_t id)
{
  const struct spec_namespace *u = s->has_linux ? spec_find_ns(s, SPEC_NS_USER) : NULL;
  if (!u)
    return id;
  if (u->path)
    return STDIO_ID_UNKNOWN;
  const struct spec_id_mapping *m = gid ? s->linux_.gid_mappings : s->linux_.uid_mappings;
  size_t n = gid ? s->linux_.n_gid_mappings : s->linux_.n_uid_mappings;
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
      return m[i].host_id + (id - m[i].container_id);
  return STDIO_ID_UNKNOWN;
}

static void close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

int stdio_relay_prepare(struct stdio_relay *r, uint32_t uid, uint32_t gid, const uint32_t *groups,
                        size_t n_groups, uint32_t owner, herr_t *err)
{
  for (int fd = 0; fd < 3; fd++) {
    struct stat st;
    if (fstat(fd, &st) < 0 || !stdio_relay_needs(&st, fd, uid, gid, groups, n_groups))
      continue;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
      return herr_sys(err, "stdio relay: pipe for fd %d", fd);
    /* fd 0: the process reads p[0]; 1, 2: it writes p[1]. */
    r->child[fd] = fd == 0 ? p[0] : p[1];
    r->ours[fd] = fd == 0 ? p[1] : p[0];
    /* Rootless, we may not: the pipe stays ours, which is the container's
     * root, and the process's setup gives it to the user. */
    if (owner != STDIO_ID_UNKNOWN && fchown(r->child[fd], owner, (gid_t)-1) < 0 && errno != EPERM &&
        errno != EINVAL)
      return herr_sys(err, "stdio relay: give the pipe for fd %d to uid %u", fd, owner);
    if (fcntl(r->ours[fd], F_SETFL, O_NONBLOCK) < 0)
      return herr_sys(err, "stdio relay: pipe for fd %d", fd);
    r->caller[fd] = tty_relay_own_fd(fd, &r->restore[fd]);
    if (r->caller[fd] < 0)
      return herr_sys(err, "stdio relay: fd %d", fd);
  }
  if (stdio_relay_active(r) && pipe2(r->stop, O_CLOEXEC) < 0)
    return herr_sys(err, "stdio relay: pipe");
  return 0;
}

bool stdio_relay_active(const struct stdio_relay *r)
{
  return r->ours[0] >= 0 || r->ours[1] >= 0 || r->ours[2] >= 0;
}

int stdio_relay_child_fds(const int *child)
{
  for (int fd = 0; child && fd < 3; fd++)
    if (child[fd] >= 0 && dup2(child[fd], fd) < 0)
      return -1;
  return 0;
}

struct stream {
  int from, to; /* -1 once done */
  bool eof;     /* `from` said EOF (or failed) */
  char *data;
  size_t off, len;
};

/* One step of a stream whose poll said from/to are ready. */
static void stream_read(struct stream *s)
{
  if (s->off && s->off + s->len == RELAY_BUF) {
    memmove(s->data, s->data + s->off, s->len);
    s->off = 0;
  }
  ssize_t n = read(s->from, s->data + s->off + s->len, RELAY_BUF - s->off - s->len);
  if (n > 0)
    s->len += (size_t)n;
  else if (n == 0 || (errno != EAGAIN && errno != EINTR))
    s->eof = true; /* EOF; EIO from a terminal we lost */
}

static bool stream_write(struct stream *s)
{
  ssize_t n = write(s->to, s->data + s->off, s->len);
  if (n > 0) {
    s->off += (size_t)n;
    s->len -= (size_t)n;
    if (s->len == 0)
      s->off = 0;
    return true;
  }
  return n < 0 && (errno == EAGAIN || errno == EINTR);
}

static void relay_loop(struct stdio_relay *r)
{
  struct stream s[3];
  for (int i = 0; i < 3; i++) {
    s[i] = (struct stream){.from = i == 0 ? r->caller[0] : r->ours[i],
                           .to = i == 0 ? r->ours[0] : r->caller[i]};
    if (r->ours[i] < 0)
      s[i].from = s[i].to = -1;
    s[i].data = s[i].from >= 0 ? malloc(RELAY_BUF) : NULL;
    if (s[i].from >= 0 && !s[i].data)
      s[i].from = s[i].to = -1;
  }
  bool stopping = false;
  for (;;) {
    struct pollfd pf[7];
    int idx[7], dir[7]; /* stream, 0 read / 1 write / -1 stop */
    nfds_t n = 0;
    bool outputs_done = true;
    for (int i = 0; i < 3; i++) {
      struct stream *x = &s[i];
      if (x->to < 0)
        continue;
      if (i > 0)
        outputs_done = false;
      if (!x->eof && x->off + x->len < RELAY_BUF) {
        pf[n] = (struct pollfd){.fd = x->from, .events = POLLIN};
        idx[n] = i, dir[n++] = 0;
      }
      if (x->len > 0) {
        pf[n] = (struct pollfd){.fd = x->to, .events = POLLOUT};
        idx[n] = i, dir[n++] = 1;
      }
    }
    if (stopping && outputs_done)
      break;
    if (!stopping) {
      pf[n] = (struct pollfd){.fd = r->stop[0], .events = POLLIN};
      idx[n] = -1, dir[n++] = -1;
    }
    int k = poll(pf, n, stopping ? RELAY_DRAIN_MS : -1);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      break; /* drained long enough (or poll failed) */
    for (nfds_t j = 0; j < n; j++) {
      if (!pf[j].revents)
        continue;
      if (dir[j] < 0) {
        stopping = true;
        continue;
      }
      struct stream *x = &s[idx[j]];
      if (x->to < 0)
        continue;
      if (dir[j] == 0) {
        stream_read(x);
      } else if (!stream_write(x)) {
        /* The reader is gone: a process that closed its stdin, a caller's
         * stdout that went away (its writer then gets EPIPE, as without us). */
        x->len = 0;
        x->eof = true;
        if (idx[j] > 0)
          close_fd(&r->ours[idx[j]]);
        x->to = -1;
      }
    }
    for (int i = 0; i < 3; i++) {
      struct stream *x = &s[i];
      if (x->to >= 0 && x->eof && x->len == 0) {
        if (i == 0)
          close_fd(&r->ours[0]); /* the process reads EOF */
        x->to = -1;
      }
    }
    if (stopping && s[0].to >= 0) {
      close_fd(&r->ours[0]); /* the process is gone: stop reading the caller's stdin */
      s[0].to = -1;
    }
  }
}

int stdio_relay_start(struct stdio_relay *r, herr_t *err)
{
  if (!stdio_relay_active(r))
    return 0;
  pid_t parent = getpid();
  r->copier = fork();
  if (r->copier < 0)
    return herr_sys(err, "stdio relay: fork");
  if (r->copier > 0) {
    /* The copier has them: the process must see EOF once it closes pipe 0. */
    for (int i = 0; i < 3; i++) {
      close_fd(&r->ours[i]);
      close_fd(&r->caller[i]);
    }
    close_fd(&r->stop[0]);
    return 0;
  }
  /* The copier: only its own fds (an inherited end of a sync socket or of
   * the process's pipes would keep them from ever reaching EOF). */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(0);
  int keep[10], n = 0;
  for (int i = 0; i < 3; i++) {
    close_fd(&r->child[i]);
    keep[n++] = r->ours[i];
    keep[n++] = r->caller[i];
  }
  close_fd(&r->stop[1]);
  keep[n++] = r->stop[0];
  close_fds_except(3, keep, (size_t)n);
  relay_loop(r);
  for (int i = 0; i < 3; i++)
    if (r->caller[i] >= 0 && r->restore[i] >= 0)
      fcntl(r->caller[i], F_SETFL, r->restore[i]);
  _exit(0);
}

void stdio_relay_close_child(struct stdio_relay *r)
{
  for (int i = 0; i < 3; i++)
    close_fd(&r->child[i]);
}

void stdio_relay_finish(struct stdio_relay *r)
{
  stdio_relay_close_child(r);
  if (r->copier > 0) {
    close_fd(&r->stop[1]); /* the copier drains and exits */
    while (waitpid(r->copier, NULL, 0) < 0 && errno == EINTR)
      ;
    r->copier = -1;
  }
  for (int i = 0; i < 3; i++) {
    close_fd(&r->child[i]);
    close_fd(&r->ours[i]);
    if (r->caller[i] >= 0 && r->restore[i] >= 0)
      fcntl(r->caller[i], F_SETFL, r->restore[i]);
    close_fd(&r->caller[i]);
    r->restore[i] = -1;
  }
  close_fd(&r->stop[0]);
  close_fd(&r->stop[1]);
}
