/* `start`: open exec.fifo so the blocked init goes on to exec the user
 * process.  The init writes "<errnum> <message>" into the fifo if anything
 * after that point fails; on success its end closes at execve (O_CLOEXEC),
 * so an empty read means the process is running. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/hooks.h"
#include "libcontainer/lifecycle.h"
#include "libcontainer/log.h"
#include "libcontainer/state.h"
#include "libcontainer/util.h"

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

/* Read what the init wrote to the fifo until it closes its end. */
static int await_exec(int pidfd, int fifo, herr_t *err)
{
  char buf[4096];
  size_t len = 0;
  bool init_gone = false;
  for (;;) {
    struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int n = poll(p, init_gone ? 1 : 2, init_gone ? 0 : -1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return herr_sys(err, "poll");
    }
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

int container_start(struct container *c, herr_t *err)
{
  enum container_status s = container_status(c);
  if (s != CONTAINER_CREATED)
    return herr_set(err, 0, "cannot start a container that is not in created state (it is %s)",
                    container_status_name(s));
  /* The pidfd first: once the fifo is open, the init may fail and exit at once. */
  _cleanup_close_ int pidfd = pidfd_open_checked(c);
  if (pidfd < 0)
    return herr_set(err, ESRCH, "the container init is gone");
  _cleanup_free_ char *path = xasprintf("%s/%s", c->state_dir, STATE_FIFO);
  _cleanup_close_ int fifo = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return herr_sys(err, "open %s", path);
  int r = await_exec(pidfd, fifo, err);
  unlink(path);
  if (r < 0)
    return -1;
  if (c->spec && c->spec->hooks.n_hooks[SPEC_HOOK_POSTSTART]) {
    _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_RUNNING);
    _cleanup_herr_ herr_t e = NULL;
    if (hooks_run(c->spec, SPEC_HOOK_POSTSTART, state, &e) < 0)
      hlog_warn("start %s: %s", c->id, e->msg);
  }
  return 0;
}
