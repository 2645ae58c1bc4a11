/* `kill`: signal the init (through a pidfd, after checking its start time)
 * or every process of the cgroup. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/lifecycle.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"

static int signal_init(struct container *c, int sig, herr_t *err)
{
  _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
  if (pidfd < 0 && errno == ENOSYS) {
    /* No pidfds (Linux < 5.3, a seccomp sandbox, valgrind): kill() right
     * after the start-time check, as runc does. */
    if (!proc_alive(c->pid, c->pid_start))
      return herr_set(err, ESRCH, "container not running");
    if (kill(c->pid, sig) < 0)
      return errno == ESRCH ? herr_set(err, ESRCH, "container not running")
                            : herr_sys(err, "send signal %d to pid %d", sig, (int)c->pid);
    return 0;
  }
  if (pidfd < 0 || !proc_alive(c->pid, c->pid_start))
    return herr_set(err, ESRCH, "container not running");
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
    if (errno == ESRCH)
      return herr_set(err, ESRCH, "container not running");
    return herr_sys(err, "send signal %d to pid %d", sig, (int)c->pid);
  }
  return 0;
}

int container_kill(struct container *c, int sig, bool all, herr_t *err)
{
  /* --all signals whatever is left in the cgroup even once the init is
   * gone: containerd's shim relies on it when a container shares its pid
   * namespace (runc does the same). */
  if (all && c->cgroup)
    return cgroup_kill_all(c->cgroup, sig, err);
  if (all)
    return container_pidns_signal_all(c, sig, err);
  enum container_status s = container_status(c);
  if (s == CONTAINER_STOPPED || s == CONTAINER_CREATING)
    return herr_set(err, ESRCH, "container not running");
  return signal_init(c, sig, err);
}

int container_wait_gone(struct container *c, herr_t *err)
{
  _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
  if (pidfd < 0 && errno == ENOSYS) {
    /* No pidfds: poll the start time (the init was just SIGKILLed). */
    while (proc_alive(c->pid, c->pid_start))
      nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
    return 0;
  }
  if (pidfd < 0 || !proc_alive(c->pid, c->pid_start))
    return 0;
  for (;;) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int n = poll(&p, 1, -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return herr_sys(err, "wait for pid %d", (int)c->pid);
    return 0;
  }
}
