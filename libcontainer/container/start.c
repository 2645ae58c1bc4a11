/* `start`: tell the init of a created container to exec the user process.
 * One way for `start` and `run`: send START (sync.h) to the init, over a
 * connection to start.sock (`start`) or over the sync socket `run` still
 * holds, then read what comes back on it: EOF when the init exec'ed (its
 * end is close-on-exec), or SYNC_ERROR with the errno and message of what
 * failed in between (startContainer hooks, the process setup, execve). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libcontainer/container/lifecycle.h"
#include "libcontainer/container/state.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/utils/fileio.h"

/* START over fd, then EOF (the process runs) or the init's error. */
static int send_start(int fd, herr_t *err)
{
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

/* `run`: the init we just created waits on the sync socket. */
static int start_over_sync(struct container *c, herr_t *err)
{
  _cleanup_close_ int fd = c->start_fd;
  c->start_fd = -1;
  return send_start(fd, err);
}

static int start_over_socket(struct container *c, herr_t *err)
{
  enum container_status s = container_status(c);
  if (s != CONTAINER_CREATED)
    return herr_set(err, 0, "cannot start a container that is not in created state (it is %s)",
                    container_status_name(s));
  _cleanup_close_ int fd = state_start_connect(c, err);
  if (fd < 0)
    return -1;
  int r = send_start(fd, err);
  unlinkat(c->dir_fd, STATE_START_SOCK, 0);
  return r;
}

int container_start(struct container *c, herr_t *err)
{
  if ((c->start_fd >= 0 ? start_over_sync(c, err) : start_over_socket(c, err)) < 0)
    return -1;
  if (c->spec && c->spec->hooks.n_hooks[SPEC_HOOK_POSTSTART]) {
    _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_RUNNING);
    hooks_run_all(c->spec, SPEC_HOOK_POSTSTART, state, "start", c->id);
  }
  return 0;
}
