/* `start`: open exec.fifo so the blocked init goes on to exec the user
 * process (`run` tells it over the sync socket instead: start_over_sync).  The init writes
 * "<errnum> <message>" into the fifo if anything after that point fails; on success its end closes
 * at execve (O_CLOEXEC), so an empty read means the process is running. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/process/hooks.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"
#include "libcontainer/container/state.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/utils/fileio.h"

static int pidfd_open_checked(struct container *c)
{
  int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
  if (fd < 0)
    return -1;
  /* The pid may have been reused between the status check and pidfd_open. */
  if (!proc_alive(c->pid, c->pid_start)) {
    close(fd);
    errno = ESRCH;
    return -1;
  }
  return fd;
}

/* Read what the init wrote to the fifo until it closes its end.  Without a
 * pidfd (pidfd < 0: no pidfd_open), the init's start time is checked every
 * 100 ms instead. */
static int await_exec(struct container *c, int pidfd, int fifo, herr_t *err)
{
  char buf[4096];
  size_t len = 0;
  bool init_gone = false;
  for (;;) {
    struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int n = poll(p, init_gone ? 1 : 2, init_gone ? 0 : pidfd < 0 ? 100 : -1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return herr_sys(err, "poll");
    }
    if (n == 0 && pidfd < 0 && !init_gone && !proc_alive(c->pid, c->pid_start))
      p[1].revents = POLLIN;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(fifo, buf + len, sizeof(buf) - 1 - len);
      if (r > 0) {
        len += (size_t)r;
        if (len < sizeof(buf) - 1)
          continue;
      } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
        continue;
      }
      break; /* EOF: the init exec'ed or exited */
    }
    if (init_gone)
      return herr_set(err, 0, "the container init exited before the process was started");
    if (!init_gone && (p[1].revents & POLLIN))
      init_gone = true; /* drain the fifo once more before concluding */
  }
  if (len == 0)
    return 0;
  buf[len] = '\0';
  char *msg = NULL;
  long errnum = strtol(buf, &msg, 10);
  if (msg && *msg == ' ')
    msg++;
  return herr_from_parts(err, (int)errnum, msg && *msg ? msg : buf);
}

/* `run`: the init we just created waits on the sync socket, not the fifo.
 * EOF (the socket closed at execve) means the process runs; a failure
 * arrives as SYNC_ERROR. */
static int start_over_sync(struct container *c, herr_t *err)
{
  _cleanup_close_ int fd = c->start_fd;
  c->start_fd = -1;
  if (sync_send(fd, SYNC_START, 0, 0, NULL) < 0)
    return herr_set(err, ESRCH, "the container init is gone");
  struct sync_msg m;
  _cleanup_free_ char *payload = NULL;
  int r = sync_recv(fd, &m, &payload);
  if (r == 0 || (r < 0 && errno == ECONNRESET))
    return 0;
  if (r < 0)
    return herr_sys(err, "reading from the container init");
  if (m.type == SYNC_ERROR)
    return sync_error(&m, payload, err);
  return herr_set(err, EPROTO, "unexpected message %u from the container init", m.type);
}

static int start_over_fifo(struct container *c, herr_t *err)
{
  enum container_status s = container_status(c);
  if (s != CONTAINER_CREATED)
    return herr_set(err, 0, "cannot start a container that is not in created state (it is %s)",
                    container_status_name(s));
  /* The pidfd first: once the fifo is open, the init may fail and exit at once. */
  _cleanup_close_ int pidfd = pidfd_open_checked(c);
  if (pidfd < 0 && (errno != ENOSYS || !proc_alive(c->pid, c->pid_start)))
    return herr_set(err, ESRCH, "the container init is gone");
  _cleanup_free_ char *path = xasprintf("%s/%s", c->state_dir, STATE_FIFO);
  _cleanup_close_ int fifo = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return herr_sys(err, "open %s", path);
  int r = await_exec(c, pidfd, fifo, err);
  unlink(path);
  return r;
}

int container_start(struct container *c, herr_t *err)
{
  if ((c->start_fd >= 0 ? start_over_sync(c, err) : start_over_fifo(c, err)) < 0)
    return -1;
  if (c->spec && c->spec->hooks.n_hooks[SPEC_HOOK_POSTSTART]) {
    _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_RUNNING);
    _cleanup_herr_ herr_t e = NULL;
    if (hooks_run(c->spec, SPEC_HOOK_POSTSTART, state, &e) < 0)
      hlog_warn("start %s: %s", c->id, e->msg);
  }
  return 0;
}
