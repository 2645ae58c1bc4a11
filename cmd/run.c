/* hutch run [OPTIONS] ID: create + start; in the foreground, forward every
 * signal to the container init, wait for it, delete the container (unless
 * --keep) and exit with its status (128+N when killed by signal N). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/create_opts.h"
#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"
#include "libcontainer/process/stdio_relay.h"
#include "libcontainer/process/tty_relay.h"
#include "libcontainer/utils/fileio.h"

int cmd_wait_forwarding(int sfd, pid_t init)
{
  for (;;) {
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof(si));
    if (n < 0 && errno == EINTR)
      continue;
    if (n != (ssize_t)sizeof(si))
      return 255;
    if (si.ssi_signo != SIGCHLD) {
      kill(init, (int)si.ssi_signo);
      continue;
    }
    int st;
    pid_t w;
    while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
      if (w != init)
        continue; /* an orphan reparented to us */
      if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
      return WEXITSTATUS(st);
    }
  }
}

int cmd_run(struct hutch_ctx *ctx, int argc, char **argv)
{
  struct create_opts o;
  bool detach = false, keep = false;
  if (cmd_parse_create(ctx, argc, argv, &o, &detach, &keep))
    return 1;
  o.foreground = !detach;
  o.start_in_process = true;
  int master = -1; /* process.terminal without --console-socket: relayed here */
  if (o.foreground && !o.console_socket)
    o.console_master = &master;
  struct stdio_relay relay; /* without a terminal: the fds the user could not reopen */
  stdio_relay_init(&relay);
  if (o.foreground)
    o.stdio_relay = &relay;

  /* Block every signal until the forwarding loop reads them from a signalfd
   * (the init unblocks them for itself). */
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  herr_t err = NULL;
  struct container *c = NULL;
  if (container_create(&o, &c, &err) < 0) {
    stdio_relay_finish(&relay);
    return cmd_fail(ctx, &err, "run %s", o.id);
  }
  stdio_relay_close_child(&relay);
  if (master >= 0)
    tty_relay_copy_winsize(master);
  if (container_start(c, &err) < 0 || stdio_relay_start(&relay, &err) < 0) {
    stdio_relay_finish(&relay);
    herr_t e2 = NULL;
    if (container_delete(c, true, &e2) < 0) {
      hlog_warn("run %s: cleaning up: %s", o.id, e2->msg);
      herr_free(&e2);
    }
    container_free(c);
    return cmd_fail(ctx, &err, "run %s", o.id);
  }
  if (detach) {
    container_free(c);
    return 0;
  }
  pid_t init = c->pid;
  container_unlock(c);
  int status;
  if (master >= 0) {
    int r = tty_relay_run(master, init, &status, &err);
    close(master);
    if (r < 0) {
      hlog_warn("run %s: terminal: %s", o.id, err->msg);
      herr_free(&err);
      kill(init, SIGKILL);
      status = 255;
      while (waitpid(init, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  } else {
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0) {
      herr_sys(&err, "signalfd");
      stdio_relay_finish(&relay);
      container_free(c);
      return cmd_fail(ctx, &err, "run %s", o.id);
    }
    status = cmd_wait_forwarding(sfd, init);
    close(sfd);
    stdio_relay_finish(&relay);
  }
  if (status == 128 + SIGKILL && c->cgroup && cgroup_oom_kills(c->cgroup) > 0)
    hlog_warn("run %s: the container was killed by the OOM killer: its memory limit is too low",
              o.id);
  if (!keep) {
    if (container_lock(c, &err) < 0 || container_delete(c, true, &err) < 0) {
      container_free(c);
      cmd_fail(ctx, &err, "run %s: delete", o.id);
      return status;
    }
  }
  container_free(c);
  return status;
}
