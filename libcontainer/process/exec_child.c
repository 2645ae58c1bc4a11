/* `hutch exec`: the child.  Born in the container's pid namespace (the
 * runtime joined it for its children), it enters the cgroup, joins the
 * other namespaces, sets up the terminal and becomes the process through
 * process_exec().  Every failure goes back to the runtime as one message. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "libcontainer/process/console.h"
#include "libcontainer/process/exec_internal.h"
#include "spec/base/log.h"
#include "libcontainer/process/namespaces.h"
#include "libcontainer/process/process.h"
#include "libcontainer/process/stdio_relay.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/security/security.h"
#include "libcontainer/utils/fileio.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

__attribute__((noreturn)) static void fail(struct exec_child *ch, herr_t *err)
{
  sync_send_error(ch->sync_fd, err);
  _exit(1);
}

static void reset_signals(void)
{
  struct sigaction sa = {.sa_handler = SIG_DFL};
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &sa, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* "0" (the caller) into dir/tasks (cgroup v1) or dir/cgroup.procs. */
static int enter_dir(const char *dir, bool v1, herr_t *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, v1 ? "tasks" : "cgroup.procs");
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && v1 && errno == ENOENT)
    return enter_dir(dir, false, err); /* a cgroup2 directory */
  if (fd < 0)
    return herr_sys(err, "cgroup: open %s", path);
  if (write(fd, "0", 1) != 1)
    return herr_sys(err, "cgroup: join %s", dir);
  return 0;
}

static int enter_cgroups(struct exec_child *ch, herr_t *err)
{
  for (size_t i = 0; i < ch->n_v1_dirs; i++)
    if (enter_dir(ch->v1_dirs[i], true, err) < 0)
      return -1;
  if (ch->unified_dir && enter_dir(ch->unified_dir, false, err) < 0)
    return -1;
  for (size_t i = 0; i < ch->n_cg_dirs; i++)
    if (enter_dir(ch->cg_dirs[i], true, err) < 0)
      return herr_wrap(err, "--cgroup");
  return 0;
}

/* Without setns(pidfd) (Linux < 5.8): one /proc/<pid>/ns/<type> at a time,
 * the user namespace first (it grants the rights to join the others). */
static int join_by_proc(struct exec_child *ch, herr_t *err)
{
  static const enum spec_ns_type order[] = {SPEC_NS_USER, SPEC_NS_NETWORK, SPEC_NS_IPC,
                                            SPEC_NS_UTS,  SPEC_NS_CGROUP,  SPEC_NS_TIME,
                                            SPEC_NS_MOUNT};
  int fds[sizeof(order) / sizeof(order[0])];
  size_t n = sizeof(order) / sizeof(order[0]);
  int ret = 0;
  for (size_t i = 0; i < n; i++) {
    fds[i] = -1;
    if (!(ch->ns_flags & (unsigned long)spec_ns_clone_flag(order[i])))
      continue;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)ch->init_pid, spec_ns_proc_name(order[i]));
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0 && ret == 0)
      ret = herr_sys(err, "open %s", path);
  }
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (fds[i] >= 0 && setns(fds[i], spec_ns_clone_flag(order[i])) < 0)
      ret = herr_sys(err, "join the container's %s namespace", spec_ns_name(order[i]));
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  return ret;
}

static int join_namespaces(struct exec_child *ch, herr_t *err)
{
  if (ch->ns_flags) {
    if (ch->pidfd >= 0 && setns(ch->pidfd, (int)ch->ns_flags) == 0)
      ; /* every namespace at once, the user namespace first */
    else if (ch->pidfd >= 0 && errno != EINVAL)
      return herr_sys(err, "join the container's namespaces");
    else if (join_by_proc(ch, err) < 0)
      return -1;
  }
  if (ch->join_user) {
    if (ns_become_root(err) < 0)
      return -1;
    /* A credential change resets dumpable to fs.suid_dumpable. */
    if (security_make_undumpable(err) < 0)
      return -1;
  }
  return 0;
}

/* -u NAME / -u X:GROUP, looked up in the container's files (we are in its
 * mount namespace now). */
static int resolve_user(struct exec_child *ch, herr_t *err)
{
  struct spec_user *u = &ch->proc->user;
  if (ch->x->user_name) {
    uid_t uid;
    gid_t gid;
    if (exec_lookup_user("/etc/passwd", ch->x->user_name, &uid, &gid, err) < 0)
      return -1;
    u->uid = uid;
    if (!ch->x->group_name && !strchr(ch->o->user, ':'))
      u->gid = gid;
  }
  if (ch->x->group_name) {
    gid_t gid;
    if (exec_lookup_group("/etc/group", ch->x->group_name, &gid, err) < 0)
      return -1;
    u->gid = gid;
  }
  return 0;
}

static int move_above_stdio(int fd)
{
  if (fd < 0 || fd > 2)
    return fd;
  int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return n;
}

/* A new pty from the container's /dev/ptmx: the master goes to the console
 * socket (or to the runtime), the slave becomes the controlling terminal and
 * fds 0, 1, 2. */
static int setup_pty(struct exec_child *ch, herr_t *err)
{
  const struct spec_process *p = ch->proc;
  _cleanup_close_ int master = move_above_stdio(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (master < 0)
    return herr_sys(err, "terminal: open /dev/ptmx in the container");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
    return herr_sys(err, "terminal: unlock the pty");
  _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    unsigned ptn = 0;
    if (ioctl(master, TIOCGPTN, &ptn) < 0)
      return herr_sys(err, "terminal: get the pty number");
    char path[64];
    snprintf(path, sizeof(path), "/dev/pts/%u", ptn);
    slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
      return herr_sys(err, "terminal: open %s", path);
  }
  slave = move_above_stdio(slave);
  if (slave < 0)
    return herr_sys(err, "terminal: move the pty slave");
  if (console_clear_onlcr(slave, err) < 0)
    return herr_wrap(err, "terminal");
  if (p->has_console_size && (p->console_height || p->console_width)) {
    struct winsize ws = {.ws_row = (unsigned short)p->console_height,
                         .ws_col = (unsigned short)p->console_width};
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
      return herr_sys(err, "consoleSize: set the window size to %ux%u", p->console_height,
                      p->console_width);
  }
  if (ch->console_fd >= 0) {
    if (console_send_fd(ch->console_fd, master, "/dev/ptmx", err) < 0)
      return herr_wrap(err, "--console-socket");
    close(ch->console_fd);
    ch->console_fd = -1;
  } else if (sync_send_fd(ch->sync_fd, SYNC_PTY, master) < 0) {
    return herr_sys(err, "terminal: send the pty master to hutch");
  }
  /* The user owns its terminal, as after login (not fatal: an unmapped uid). */
  if (fchown(slave, p->user.uid, (gid_t)-1) < 0) {
    /* keep root's */
  }
  if (setsid() < 0)
    return herr_sys(err, "terminal: setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return herr_sys(err, "terminal: make the pty the controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0)
      return herr_sys(err, "terminal: dup the pty onto fd %d", i);
  return 0;
}

void exec_child_main(struct exec_child *ch)
{
  _cleanup_herr_ herr_t err = NULL;
  const struct spec_process *p = ch->proc;

  reset_signals();
  if (stdio_relay_child_fds(ch->stdio) < 0) {
    herr_sys(&err, "stdio relay: dup the pipes onto 0, 1, 2");
    fail(ch, &err);
  }
  if (p->exec_cpu_affinity_initial &&
      security_set_cpu_affinity(0, p->exec_cpu_affinity_initial, "process.execCPUAffinity.initial",
                                &err) < 0)
    fail(ch, &err);
  /* The cgroup first, while we still are the host's root in the host's mounts. */
  if (enter_cgroups(ch, &err) < 0)
    fail(ch, &err);
  if (p->exec_cpu_affinity_final &&
      security_set_cpu_affinity(0, p->exec_cpu_affinity_final, "process.execCPUAffinity.final",
                                &err) < 0)
    fail(ch, &err);
  if (join_namespaces(ch, &err) < 0)
    fail(ch, &err);
  /* Nothing of the runtime's reaches the container: only the preserved fds,
   * the sync socket, the console socket and the log (all close-on-exec). */
  int keep[3] = {ch->sync_fd, ch->console_fd, hlog_fd()}; /* --log: close-on-exec */
  close_fds_except(3 + ch->o->preserve_fds, keep, 3);

  if (resolve_user(ch, &err) < 0)
    fail(ch, &err);
  _cleanup_free_ char *exe = NULL;
  if (process_prepare(p, false, &exe, &err) < 0)
    fail(ch, &err);
  if (p->terminal && setup_pty(ch, &err) < 0)
    fail(ch, &err);

  /* The process, described for process_exec() like the init's. */
  struct process_desc pd;
  process_desc_init(&pd, ch->spec, p, ch->seccomp);
  pd.n_preserved = ch->o->preserve_fds;
  pd.stdio_given = ch->o->detach;
  pd.stdio = ch->stdio;
  if (ch->seccomp_notify && process_load_notify_seccomp(&pd, ch->sync_fd, &err) < 0)
    fail(ch, &err);
  process_exec(&pd, exe, &err);
  fail(ch, &err);
}
