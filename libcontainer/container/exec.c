/* `hutch exec`: the runtime side (see exec.h for the process model). */
#include "libcontainer/container/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/exec_internal.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/security/security.h"
#include "libcontainer/container/state.h"
#include "libcontainer/process/stdio_relay.h"
#include "libcontainer/process/tty_relay.h"
#include "libcontainer/utils/fileio.h"
#include "libcontainer/validate/validate.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's arguments (our own copy: <linux/sched.h> clashes with <sched.h>). */
struct exec_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};

struct exec_run {
  struct container *c;
  const struct exec_opts *o;
  struct exec_process *x;
  int pidfd;
  int sync_fd;    /* ours */
  int child_fd;   /* the child's end */
  int console_fd; /* --console-socket */
  int master;     /* pty master received from the child */
  int own_pidns;  /* our pid namespace while children go to the container's */
  pid_t pid;
  bool has_pidns;
  bool defer_cgroup; /* paused + --ignore-paused: enter the frozen cgroup after the execve */
  struct seccomp_bpf *seccomp;
  char **cg_dirs; /* --cgroup */
  size_t n_cg_dirs;
  char **v1_dirs;
  size_t n_v1_dirs;
  const char *unified;
  struct stdio_relay relay; /* foreground without a terminal (stdio_relay.h) */
};

static int check_status(struct exec_run *r, herr_t *err)
{
  struct container *c = r->c;
  switch (container_status(c)) {
  case CONTAINER_CREATING:
    return herr_set(err, EBUSY, "container %s is still being created", c->id);
  case CONTAINER_STOPPED:
    return herr_set(err, ESRCH, "cannot exec in a stopped container");
  case CONTAINER_PAUSED:
    if (!r->o->ignore_paused)
      return herr_set(err, EBUSY,
                      "container %s is paused (resume it first, or use --ignore-paused)", c->id);
    r->defer_cgroup = true;
    return 0;
  case CONTAINER_CREATED:
  case CONTAINER_RUNNING:
    return 0;
  }
  return 0;
}

/* A pidfd of the init, checked to be the container's init (not a reused pid). */
static int open_init(struct exec_run *r, herr_t *err)
{
  struct container *c = r->c;
  r->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
  if (r->pidfd < 0 && errno == ESRCH)
    return herr_set(err, ESRCH, "cannot exec in a stopped container");
  if (r->pidfd < 0 && errno != ENOSYS)
    return herr_sys(err, "pidfd_open %d", (int)c->pid);
  if (r->pidfd >= 0)
    fcntl(r->pidfd, F_SETFD, FD_CLOEXEC);
  if (!proc_alive(c->pid, c->pid_start))
    return herr_set(err, ESRCH, "cannot exec in a stopped container");
  return 0;
}

static bool same_ns(pid_t pid, const char *name)
{
  char path[64];
  struct stat a, b;
  snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
  if (stat(path, &a) < 0)
    return false;
  snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
  if (stat(path, &b) < 0)
    return false;
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* The namespaces the child joins: every one the config lists (joined by
 * path or created, the init is in it), but the pid namespace, which the
 * runtime joins for its children, and the caller's own user namespace
 * (setns refuses to re-enter it). */
static void plan_namespaces(struct exec_run *r, struct exec_child *ch)
{
  const struct spec_linux *l = &r->c->spec->linux_;
  for (size_t i = 0; r->c->spec->has_linux && i < l->n_namespaces; i++) {
    const struct spec_namespace *n = &l->namespaces[i];
    if (n->type == SPEC_NS_PID) {
      r->has_pidns = true;
      continue;
    }
    if (n->type == SPEC_NS_USER) {
      if (n->path && *n->path && same_ns(r->c->pid, "user"))
        continue;
      ch->join_user = true;
    }
    ch->ns_flags |= (unsigned long)spec_ns_clone_flag(n->type);
  }
}

/* Rootless: the container's pid namespace belongs to its user namespace,
 * in which we (its owner) have every capability only once we are in it.
 * Join it here, before the pid namespace; the child then skips it.  There
 * is no way back to our own pid namespace from inside: this process makes
 * no threads after this, so it stays there (its children are born in the
 * container's, its own pid is unchanged).  Being undumpable already, it
 * cannot be ptraced from the container's user namespace, nor seen from its
 * pid namespace. */
static int join_userns_for_pidns(struct exec_run *r, struct exec_child *ch, int pidns_fd,
                                 herr_t *err)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)r->c->pid);
  _cleanup_close_ int fd = r->pidfd >= 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
  if (r->pidfd < 0 && fd < 0)
    return herr_sys(err, "open %s", path);
  if (setns(r->pidfd >= 0 ? r->pidfd : fd, CLONE_NEWUSER) < 0)
    return herr_sys(err, "join the container's user namespace");
  ch->ns_flags &= ~(unsigned long)CLONE_NEWUSER;
  close(r->own_pidns);
  r->own_pidns = -1;
  if (setns(pidns_fd, CLONE_NEWPID) < 0)
    return herr_sys(err, "join the container's pid namespace");
  return 0;
}

/* The container's pid namespace for our children (setns CLONE_NEWPID does
 * not move the caller).  Our own is kept to come back to after the fork:
 * until then no thread could be created (the kernel refuses CLONE_THREAD
 * across pid namespaces; sanitizers' tracer threads need it). */
static int join_pidns(struct exec_run *r, struct exec_child *ch, herr_t *err)
{
  if (!r->has_pidns)
    return 0;
  r->own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (r->own_pidns < 0)
    return herr_sys(err, "open /proc/self/ns/pid");
  bool via_userns = (ch->ns_flags & CLONE_NEWUSER) && geteuid() != 0;
  if (r->pidfd >= 0 && setns(r->pidfd, CLONE_NEWPID) == 0)
    return 0;
  if (r->pidfd >= 0 && errno == EPERM && via_userns)
    return join_userns_for_pidns(r, ch, r->pidfd, err);
  if (r->pidfd >= 0 && errno != EINVAL)
    return herr_sys(err, "join the container's pid namespace");
  /* No setns(pidfd) (Linux < 5.8). */
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)r->c->pid);
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "open %s", path);
  if (!proc_alive(r->c->pid, r->c->pid_start))
    return herr_set(err, ESRCH, "cannot exec in a stopped container");
  if (setns(fd, CLONE_NEWPID) < 0) {
    if (errno == EPERM && via_userns)
      return join_userns_for_pidns(r, ch, fd, err);
    return herr_sys(err, "join the container's pid namespace");
  }
  return 0;
}

/* Every cgroup v1 controller and the name=systemd hierarchy ("" is the
 * cgroup2 one): cgroup_dir() maps them to the container's directories. */
static const char *const cg_controllers[] = {
    "",        "cpu",     "cpuacct",  "cpuset",  "memory",     "pids", "blkio", "devices",
    "freezer", "net_cls", "net_prio", "hugetlb", "perf_event", "rdma", "misc",  "name=systemd"};

static void add_dir(char ***dirs, size_t *n, const char *base, const char *sub)
{
  if (!base)
    return;
  _cleanup_free_ char *d = sub ? xasprintf("%s/%s", base, sub) : xstrdup(base);
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*dirs)[i], d) == 0)
      return;
  *dirs = xrealloc(*dirs, (*n + 1) * sizeof(char *));
  (*dirs)[(*n)++] = steal_pointer(&d);
}

/* The container's directories: the cgroup2 one and the v1 ones. */
static void plan_cgroup(struct exec_run *r)
{
  if (!r->c->cgroup || r->defer_cgroup)
    return;
  r->unified = cgroup_dir(r->c->cgroup, "");
  for (size_t k = 1; k < sizeof(cg_controllers) / sizeof(cg_controllers[0]); k++) {
    const char *d = cgroup_dir(r->c->cgroup, cg_controllers[k]);
    if (d && (!r->unified || strcmp(d, r->unified) != 0))
      add_dir(&r->v1_dirs, &r->n_v1_dirs, d, NULL);
  }
}

/* --cgroup PATH (every hierarchy) or CTRL[,CTRL]:PATH, below the container's cgroup. */
static int plan_sub_cgroups(struct exec_run *r, herr_t *err)
{
  for (size_t i = 0; i < r->o->n_cgroups; i++) {
    const char *arg = r->o->cgroups[i];
    if (!r->c->cgroup)
      return herr_set(err, EINVAL, "--cgroup %s: the container has no cgroup", arg);
    const char *colon = strchr(arg, ':');
    const char *sub = colon ? colon + 1 : arg;
    while (*sub == '/')
      sub++;
    if (!*sub || strstr(sub, "..") || (colon && colon == arg))
      return herr_set(err, EINVAL, "--cgroup \"%s\": expected PATH or CONTROLLER[,...]:PATH", arg);
    size_t before = r->n_cg_dirs;
    if (!colon) {
      for (size_t k = 0; k < sizeof(cg_controllers) / sizeof(cg_controllers[0]); k++)
        add_dir(&r->cg_dirs, &r->n_cg_dirs, cgroup_dir(r->c->cgroup, cg_controllers[k]), sub);
    } else {
      _cleanup_free_ char *ctrls = xasprintf("%.*s", (int)(colon - arg), arg);
      char *save = NULL;
      for (char *t = strtok_r(ctrls, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const char *d = cgroup_dir(r->c->cgroup, t);
        if (!d)
          return herr_set(err, ENOENT, "--cgroup %s: no %s controller on this host", arg, t);
        add_dir(&r->cg_dirs, &r->n_cg_dirs, d, sub);
      }
    }
    for (size_t k = before; k < r->n_cg_dirs; k++)
      if (access(r->cg_dirs[k], F_OK) < 0)
        return herr_sys(err, "--cgroup %s: %s", arg, r->cg_dirs[k]);
  }
  return 0;
}

/* Everything that can fail on bad input, before any process exists. */
static int prepare(struct exec_run *r, herr_t *err)
{
  const struct exec_opts *o = r->o;
  struct spec_process *p = r->x->p;
  if (check_status(r, err) < 0 || open_init(r, err) < 0)
    return -1;
  if (p->terminal && o->detach && !o->console_socket)
    return herr_set(err, EINVAL,
                    "a terminal with --detach needs --console-socket (nobody would hold the pty)");
  if (!p->terminal && o->console_socket)
    return herr_set(err, EINVAL,
                    "--console-socket: the process has no terminal (use --tty, or "
                    "\"terminal\": true in --process)");
  /* Relaying our terminal: the pty starts with its size (the relay follows
   * SIGWINCH), before the process can look at it. */
  struct winsize ws;
  if (p->terminal && !o->console_socket &&
      (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) &&
      ws.ws_row && ws.ws_col) {
    p->has_console_size = true;
    p->console_height = ws.ws_row;
    p->console_width = ws.ws_col;
  }
  /* The caller's fds only: the container's state root and dir are ours (and
   * would reach the process). */
  for (int fd = 3; fd < 3 + o->preserve_fds; fd++)
    if (fcntl(fd, F_GETFD) < 0 || fd == r->c->root_fd || fd == r->c->dir_fd || fd == r->c->lock_fd)
      return herr_set(err, EBADF, "--preserve-fds: fd %d is not open", fd);
  /* The process fields against this host (capability names, LSMs, ...). */
  if (validate_process(p, err) < 0)
    return -1;
  const struct spec *s = r->c->spec;
  if (s->has_linux && s->linux_.has_seccomp) {
    if (seccomp_compile_cached(&s->linux_.seccomp, r->c->root_fd, &r->seccomp, err) < 0)
      return -1;
  }
  if (plan_sub_cgroups(r, err) < 0)
    return -1;
  if (o->console_socket) {
    r->console_fd = console_socket_connect(o->console_socket, err);
    if (r->console_fd < 0)
      return -1;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return herr_sys(err, "socketpair");
  r->sync_fd = sv[0];
  r->child_fd = sv[1];
  return 0;
}

static pid_t spawn(struct exec_run *r, struct exec_child *ch)
{
  int cgfd = -1;
  bool own_fd = false;
  if (r->unified) {
    cgfd = cgroup_clone_into_fd(r->c->cgroup);
    if (cgfd < 0) {
      cgfd = open(r->unified, O_PATH | O_DIRECTORY | O_CLOEXEC);
      own_fd = cgfd >= 0;
    }
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = -1;
  if (cgfd >= 0) {
    struct exec_clone_args a = {
        .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgfd};
    pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
    if (pid == 0) {
      ch->unified_dir = NULL; /* placed by the kernel */
      exec_child_main(ch);
    }
    /* < 0: ENOSYS, or the kernel refused the placement: the child enters it. */
  }
  if (own_fd)
    close(cgfd);
  if (pid < 0) {
    pid = fork();
    if (pid == 0)
      exec_child_main(ch);
  }
  return pid;
}

/* linux.seccomp.listenerPath gets the exec'd process's notify fd with the
 * container's state, then the child goes on. */
static int send_to_listener(struct exec_run *r, int fd, herr_t *err)
{
  _cleanup_free_ char *state = container_state_json(r->c);
  if (seccomp_send_to_listener(&r->c->spec->linux_.seccomp, fd, state, err) < 0)
    return -1;
  if (sync_send(r->sync_fd, SYNC_SECCOMP_ACK, 0, 0, NULL) < 0)
    return herr_sys(err, "seccomp: resume the exec child");
  return 0;
}

/* Receive the child's messages until EOF (the execve closed its end). */
static int wait_exec(struct exec_run *r, herr_t *err)
{
  for (;;) {
    struct sync_msg m;
    _cleanup_free_ char *payload = NULL;
    _cleanup_close_ int fd = -1;
    int n = sync_recv_fd(r->sync_fd, &m, &payload, &fd);
    if (n < 0)
      return herr_sys(err, "reading from the exec child");
    if (n == 0)
      return 0;
    if (m.type == SYNC_PTY && fd >= 0 && r->master < 0) {
      r->master = steal_fd(&fd);
      continue;
    }
    if (m.type == SYNC_SECCOMP && fd >= 0) {
      if (send_to_listener(r, fd, err) < 0)
        return -1;
      continue;
    }
    if (m.type == SYNC_ERROR)
      return sync_error(&m, payload, err);
    return herr_set(err, EPROTO, "unexpected message %u from the exec child", m.type);
  }
}

/* After the execve of a process bound for a frozen cgroup (--ignore-paused). */
static int enter_deferred(struct exec_run *r, herr_t *err)
{
  if (r->c->cgroup && cgroup_enter(r->c->cgroup, r->pid, err) < 0)
    return -1;
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%d", (int)r->pid);
  for (size_t i = 0; i < r->n_cg_dirs; i++) {
    _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", r->cg_dirs[i]);
    if (write_file_at(AT_FDCWD, procs, buf, (size_t)len, 0, err) < 0)
      return herr_wrap(err, "--cgroup: join %s", r->cg_dirs[i]);
  }
  return 0;
}

/* A rootless caller whose own cgroup is not in its delegated subtree (a
 * login session's scope, a system service) cannot move a process into the
 * container's cgroup: cgroup v2 wants write access where the two meet.
 * Say so, rather than leave the process outside as runc does. */
static void rootless_join_hint(herr_t *err)
{
  herr_t e = *err;
  /* (No geteuid() test: a rootless exec may have joined the container's
   * user namespace by now, where it is uid 0.) */
  if (!e || (e->errnum != EACCES && e->errnum != EPERM) ||
      strncmp(e->msg, "cgroup: join ", strlen("cgroup: join ")) != 0)
    return;
  _cleanup_free_ char *msg = xstrdup(e->msg);
  int errnum = e->errnum;
  herr_free(err);
  herr_set(err, errnum,
           "%s (rootless: the cgroup you run in is not in your delegated subtree; exec from "
           "one that is, e.g. systemd-run --user --scope hutch exec ...)",
           msg);
}

static int status_of(int st)
{
  if (WIFSIGNALED(st))
    return 128 + WTERMSIG(st);
  return WEXITSTATUS(st);
}

/* Foreground without a relay: forward every signal, return the exit status. */
static int wait_forwarding(pid_t pid, const sigset_t *all, int *status, herr_t *err)
{
  _cleanup_close_ int sfd = signalfd(-1, all, SFD_CLOEXEC);
  if (sfd < 0)
    return herr_sys(err, "signalfd");
  for (;;) {
    int st;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) {
      *status = status_of(st);
      return 0;
    }
    if (w < 0 && errno != EINTR)
      return herr_sys(err, "waitpid %d", (int)pid);
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof(si));
    if (n < 0 && errno == EINTR)
      continue;
    if (n != (ssize_t)sizeof(si))
      return herr_sys(err, "signalfd read");
    int sig = (int)si.ssi_signo;
    if (sig == SIGCHLD || sig == SIGPIPE)
      continue;
    /* ^C, ^\ and ^Z on our terminal reach the process (in our process
     * group) from the kernel already: do not double them. */
    if (si.ssi_code == SI_KERNEL && (sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP))
      continue;
    kill(pid, sig);
  }
}

static void run_cleanup(struct exec_run *r)
{
  stdio_relay_finish(&r->relay);
  int fds[] = {r->pidfd, r->sync_fd, r->child_fd, r->console_fd, r->master, r->own_pidns};
  for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
    if (fds[i] >= 0)
      close(fds[i]);
  seccomp_bpf_free(r->seccomp);
  for (size_t i = 0; i < r->n_cg_dirs; i++)
    free(r->cg_dirs[i]);
  free(r->cg_dirs);
  for (size_t i = 0; i < r->n_v1_dirs; i++)
    free(r->v1_dirs[i]);
  free(r->v1_dirs);
}

/* The foreground relay for the exec'd process's user, as the host sees it
 * (a user or group given by name is resolved in the container later: not
 * known here). */
static int prepare_stdio_relay(struct exec_run *r, herr_t *err)
{
  const struct spec *s = r->c->spec;
  const struct spec_user *u = &r->x->p->user;
  uint32_t groups[64];
  size_t n = 0;
  for (size_t i = 0; i < u->n_additional_gids && n < 64; i++)
    groups[n++] = stdio_relay_host_id(s, true, u->additional_gids[i]);
  uint32_t uid = r->x->user_name ? STDIO_ID_UNKNOWN : stdio_relay_host_id(s, false, u->uid);
  uint32_t gid =
      r->x->user_name || r->x->group_name ? STDIO_ID_UNKNOWN : stdio_relay_host_id(s, true, u->gid);
  uint32_t owner = uid != STDIO_ID_UNKNOWN ? uid : stdio_relay_host_id(s, false, 0);
  return stdio_relay_prepare(&r->relay, uid, gid, groups, n, owner, err);
}

static void reap(pid_t pid)
{
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

static int do_exec(struct exec_run *r, int *exit_status, herr_t *err)
{
  const struct exec_opts *o = r->o;
  struct exec_child ch = {.spec = r->c->spec,
                          .proc = r->x->p,
                          .x = r->x,
                          .o = o,
                          .init_pid = r->c->pid,
                          .pidfd = -1,
                          .console_fd = -1,
                          .sync_fd = -1};
  plan_namespaces(r, &ch);
  if (prepare(r, err) < 0)
    return -1;
  ch.sync_fd = r->child_fd;
  ch.pidfd = r->pidfd;
  ch.console_fd = r->console_fd;
  ch.pty_to_parent = r->x->p->terminal && r->console_fd < 0;
  plan_cgroup(r);
  ch.v1_dirs = r->v1_dirs;
  ch.n_v1_dirs = r->n_v1_dirs;
  ch.unified_dir = r->unified;
  ch.cg_dirs = r->defer_cgroup ? NULL : r->cg_dirs;
  ch.n_cg_dirs = r->defer_cgroup ? 0 : r->n_cg_dirs;
  ch.seccomp = r->seccomp;
  ch.seccomp_notify = r->seccomp && seccomp_uses_notify(&r->c->spec->linux_.seccomp);

  if (!o->detach && !r->x->p->terminal) {
    if (prepare_stdio_relay(r, err) < 0)
      return -1;
    ch.stdio = r->relay.child;
  }

  /* Signals wait in a signalfd from now on; the child unblocks them. */
  sigset_t all;
  sigfillset(&all);
  if (!o->detach)
    sigprocmask(SIG_BLOCK, &all, NULL);
  /* Inherited by the child: no process of the container may open our
   * /proc/<pid>/exe or mem while we are hutch (CVE-2019-5736).  The relay's
   * copier before the pid namespace (its fork would be born there). */
  if (security_make_undumpable(err) < 0 || stdio_relay_start(&r->relay, err) < 0 ||
      join_pidns(r, &ch, err) < 0)
    return -1;
  r->pid = spawn(r, &ch);
  if (r->pid < 0)
    return herr_sys(err, "fork the exec process");
  /* uid 0 of a user namespace that does not own our pid namespace (rootless
   * podman runs us so) may enter the container's but not come back: it
   * stays, as in join_userns_for_pidns (no thread is made after this). */
  if (r->own_pidns >= 0 && setns(r->own_pidns, CLONE_NEWPID) < 0 && errno != EPERM)
    return herr_sys(err, "return to hutch's pid namespace");
  close(r->child_fd);
  r->child_fd = -1;
  stdio_relay_close_child(&r->relay);
  if (r->console_fd >= 0) {
    close(r->console_fd);
    r->console_fd = -1;
  }
  if (wait_exec(r, err) < 0) {
    rootless_join_hint(err);
    kill(r->pid, SIGKILL);
    reap(r->pid);
    return -1;
  }
  if (r->defer_cgroup && enter_deferred(r, err) < 0) {
    kill(r->pid, SIGKILL);
    reap(r->pid);
    return -1;
  }
  if (o->pid_file && write_pid_file(o->pid_file, r->pid, err) < 0) {
    kill(r->pid, SIGKILL);
    reap(r->pid);
    return -1;
  }
  if (o->detach)
    return 0;
  if (r->master >= 0) {
    int master = steal_fd(&r->master);
    int ret = tty_relay_run(master, r->pid, exit_status, err);
    close(master);
    return ret;
  }
  int ret = wait_forwarding(r->pid, &all, exit_status, err);
  stdio_relay_finish(&r->relay);
  return ret;
}

int container_exec(struct container *c, const struct exec_opts *o, struct exec_process *x,
                   int *exit_status, herr_t *err)
{
  struct exec_run r = {.c = c,
                       .o = o,
                       .x = x,
                       .pidfd = -1,
                       .sync_fd = -1,
                       .child_fd = -1,
                       .console_fd = -1,
                       .master = -1,
                       .own_pidns = -1,
                       .pid = -1};
  stdio_relay_init(&r.relay);
  *exit_status = 0;
  int ret = do_exec(&r, exit_status, err);
  run_cleanup(&r);
  return ret;
}
