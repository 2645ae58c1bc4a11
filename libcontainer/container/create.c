/* `create`: the parent side.  Makes the state dir, the cgroup and the
 * socket `start` connects to (start.sock), clones the init (init.c) and
 * drives it over the sync socket until it reports READY, then writes state.json and the pid file.
 * Any failure kills the init and removes everything made so far. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/process/init.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"
#include "libcontainer/security/security.h"
#include "libcontainer/container/state.h"
#include "libcontainer/process/stdio_relay.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/rootfs/rootfs.h"
#include "libcontainer/utils/fileio.h"
#include "libcontainer/utils/rootless.h"
#include "libcontainer/validate/validate.h"

struct creation {
  struct container *c;
  struct ns_plan ns;
  int sync_fd;
  int start_sock; /* listening on start.sock (not for `run`) */
  int console_fd;
  int console_local; /* our end of the console socketpair of `run -t` */
  pid_t stage1;      /* the cloned child */
  pid_t init;        /* the container init (== stage1 unless a pid ns made us fork) */
  bool cgroup_made;
  bool placed;   /* clone3 put the child in the cgroup */
  bool rootless; /* --rootless resolved to true (for uid 0: only once a cgroup was refused) */
  struct seccomp_bpf *seccomp;
  int *bind_fds; /* rootfs_prepare_binds: the init inherits them */
};

/* clone3 (into the cgroup when possible), else clone.  Returns like fork. */
static pid_t clone_init(struct creation *cr)
{
  unsigned long flags = cr->ns.clone_flags;
  int cgfd = cr->c->cgroup ? cgroup_clone_into_fd(cr->c->cgroup) : -1;
  struct clone_args a;
  for (int attempt = 0; attempt < 2; attempt++) {
    memset(&a, 0, sizeof(a));
    a.flags = flags;
    a.exit_signal = SIGCHLD;
    if (cgfd >= 0 && attempt == 0) {
      a.flags |= CLONE_INTO_CGROUP;
      a.cgroup = (uint64_t)cgfd;
    }
    long pid = syscall(SYS_clone3, &a, sizeof(a));
    if (pid >= 0) {
      cr->placed = (a.flags & CLONE_INTO_CGROUP) != 0; /* child too */
      return (pid_t)pid;
    }
    if (errno == ENOSYS || errno == E2BIG)
      break;
    if (!(a.flags & CLONE_INTO_CGROUP))
      return -1;
    /* The kernel refused the cgroup placement: retry and place it afterwards. */
  }
  return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The foreground relay for the process's user, as the host sees it. */
static int prepare_stdio_relay(struct stdio_relay *r, const struct spec *s, herr_t *err)
{
  const struct spec_user *u = &s->process.user;
  uint32_t groups[64];
  size_t n = 0;
  for (size_t i = 0; i < u->n_additional_gids && n < 64; i++)
    groups[n++] = stdio_relay_host_id(s, true, u->additional_gids[i]);
  uint32_t uid = stdio_relay_host_id(s, false, u->uid);
  uint32_t owner = uid != STDIO_ID_UNKNOWN ? uid : stdio_relay_host_id(s, false, 0);
  return stdio_relay_prepare(r, uid, stdio_relay_host_id(s, true, u->gid), groups, n, owner, err);
}

static void kill_and_reap(struct creation *cr)
{
  if (cr->init > 0 && cr->init != cr->stage1)
    kill(cr->init, SIGKILL);
  if (cr->stage1 > 0) {
    kill(cr->stage1, SIGKILL);
    while (waitpid(cr->stage1, NULL, 0) < 0 && errno == EINTR)
      ;
  }
  /* A forked init was reparented to us (we are a subreaper). */
  if (cr->init > 0 && cr->init != cr->stage1)
    while (waitpid(cr->init, NULL, 0) < 0 && errno == EINTR)
      ;
}

static int init_exited_error(struct creation *cr, herr_t *err)
{
  int st = 0;
  pid_t w;
  do
    w = waitpid(cr->stage1, &st, 0);
  while (w < 0 && errno == EINTR);
  if (w == cr->stage1) {
    cr->stage1 = -1;
    if (cr->init == w)
      cr->init = -1;
    const struct spec *s = cr->c->spec;
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && s->has_linux &&
        s->linux_.resources.has_memory && s->linux_.resources.memory.has_limit &&
        s->linux_.resources.memory.limit > 0) {
      /* The setup runs under the container's limits. */
      bool oom = cr->c->cgroup && cgroup_oom_kills(cr->c->cgroup) > 0;
      return herr_set(err, 0,
                      "the container init was killed (SIGKILL%s) during setup: the memory limit "
                      "linux.resources.memory.limit = %lld bytes %s too low",
                      oom ? ", out of memory" : "", (long long)s->linux_.resources.memory.limit,
                      oom ? "is" : "could be");
    }
    if (WIFSIGNALED(st))
      return herr_set(err, 0, "the container init was killed by signal %d during setup",
                      WTERMSIG(st));
    return herr_set(err, 0, "the container init exited with status %d during setup",
                    WEXITSTATUS(st));
  }
  return herr_set(err, 0, "the container init exited during setup");
}

static int run_runtime_hooks(struct creation *cr, herr_t *err)
{
  struct container *c = cr->c;
  c->pid = cr->init;
  /* "created", as runc and crun report it (and the runtime-tools suite
   * checks for prestart): the init exists and waits for `start`. */
  _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_CREATED);
  if (hooks_run(c->spec, SPEC_HOOK_PRESTART, state, err) < 0)
    return -1;
  if (hooks_run(c->spec, SPEC_HOOK_CREATE_RUNTIME, state, err) < 0)
    return -1;
  if (sync_send(cr->sync_fd, SYNC_HOOKS_DONE, 0, 0, state) < 0)
    return herr_sys(err, "sync");
  return 0;
}

static int send_to_listener(struct creation *cr, int notify_fd, herr_t *err)
{
  struct container *c = cr->c;
  if (notify_fd < 0)
    return herr_set(err, EPROTO, "seccomp: the container init sent no notify fd");
  c->pid = cr->init;
  _cleanup_free_ char *state = container_state_json_status(c, CONTAINER_CREATING);
  if (seccomp_send_to_listener(&c->spec->linux_.seccomp, notify_fd, state, err) < 0)
    return -1;
  if (sync_send(cr->sync_fd, SYNC_SECCOMP_ACK, 0, 0, NULL) < 0)
    return herr_sys(err, "sync");
  return 0;
}

/* A failed send/receive on the sync socket: when the init died (EPIPE,
 * ECONNRESET), say how it died (e.g. a too-low memory limit).  Only when the
 * socket says so (a queued message, or the init's end closed): reading or
 * reaping a live init would wait forever for it, and it for us. */
static int sync_failed(struct creation *cr, const char *what, herr_t *err)
{
  int saved = errno;
  struct pollfd p = {.fd = cr->sync_fd, .events = POLLIN};
  if ((saved == EPIPE || saved == ECONNRESET) && poll(&p, 1, 0) == 1) {
    /* With go_late the init may have failed (and said why) before our GO:
     * its message is still queued on the socket. */
    struct sync_msg m;
    _cleanup_free_ char *payload = NULL;
    if ((p.revents & POLLIN) && sync_recv(cr->sync_fd, &m, &payload) > 0 && m.type == SYNC_ERROR)
      return sync_error(&m, payload, err);
    if (p.revents & POLLHUP)
      return init_exited_error(cr, err);
  }
  errno = saved;
  return herr_sys(err, "%s", what);
}

/* 'T' (stopped) or 't' (traced) in /proc/PID/stat. */
static bool is_stopped(pid_t pid)
{
  char path[64], buf[256];
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  const char *p = strrchr(buf, ')'); /* comm may hold anything */
  return p && p[1] == ' ' && (p[2] == 'T' || p[2] == 't');
}

/* Wait until the init says something.  A wait on a child must not hang
 * `create` forever: while the socket is quiet, check each second that the
 * init has not died without closing it (a forked process may hold its end),
 * stopped, or frozen with its cgroup.  No bound on a working init (hooks
 * may legitimately take long). */
static int wait_init(struct creation *cr, herr_t *err)
{
  struct pollfd p = {.fd = cr->sync_fd, .events = POLLIN};
  for (;;) {
    int r = poll(&p, 1, 1000);
    if (r != 0)
      return 0; /* readable, closed or an error: the read says which */
    siginfo_t si = {0};
    if (waitid(P_PID, (id_t)cr->stage1, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
      return init_exited_error(cr, err);
    if (is_stopped(cr->init))
      return herr_set(err, 0, "the container init (pid %d) was stopped during setup",
                      (int)cr->init);
    bool frozen = false;
    herr_t ignored = NULL;
    if (cr->c->cgroup && cgroup_is_frozen(cr->c->cgroup, &frozen, &ignored) == 0 && frozen) {
      /* A v1 frozen task dies of SIGKILL only once thawed: kill, then thaw
       * (our container's own cgroup, about to be removed). */
      kill(cr->init, SIGKILL);
      kill(cr->stage1, SIGKILL);
      cgroup_freeze(cr->c->cgroup, false, &ignored);
      herr_free(&ignored);
      return herr_set(err, 0, "the container's cgroup was frozen during setup");
    }
    herr_free(&ignored);
  }
}

/* Drive the init until READY. */
static int parent_sync(struct creation *cr, herr_t *err)
{
  struct container *c = cr->c;
  /* The init joins the cgroup itself once it has GO (cgroup_enter_self_fds). */
  if (c->cgroup && c->spec->has_linux) {
    struct spec_resources r = c->spec->linux_.resources;
    if (cr->rootless) /* device rules need privilege: rootless_cgroup warned */
      r.devices = NULL, r.n_devices = 0;
    if (cgroup_apply(c->cgroup, &r, err) < 0)
      return -1;
  }
  if ((cr->ns.clone_flags & CLONE_NEWUSER) &&
      ns_write_id_maps(cr->stage1, c->spec, &cr->ns, err) < 0)
    return -1;
  /* The init joins the v1 cgroups at GO: not a frozen one (see above). */
  if (c->cgroup && cgroup_check_thawed(c->cgroup, false, err) < 0)
    return -1;
  /* GO carries the cgroup files the init joins through (opened here). */
  int fds[SYNC_MAX_FDS];
  size_t nfds = 0;
  if (c->cgroup && cgroup_open_join_fds(c->cgroup, cr->placed, fds, SYNC_MAX_FDS, &nfds, err) < 0)
    return -1;
  int sent = sync_send_fds(cr->sync_fd, SYNC_GO, fds, nfds);
  int saved = errno;
  for (size_t i = 0; i < nfds; i++)
    close(fds[i]);
  errno = saved;
  if (sent < 0)
    return sync_failed(cr, "sync with the container init", err);
  for (;;) {
    struct sync_msg m;
    _cleanup_free_ char *payload = NULL;
    _cleanup_close_ int rfd = -1;
    if (wait_init(cr, err) < 0)
      return -1;
    int r = sync_recv_fd(cr->sync_fd, &m, &payload, &rfd);
    if (r < 0)
      return sync_failed(cr, "reading from the container init", err);
    if (r == 0)
      return init_exited_error(cr, err);
    switch (m.type) {
    case SYNC_USERMAP:
      if (ns_write_id_maps(cr->stage1, c->spec, &cr->ns, err) < 0)
        return -1;
      if (sync_send(cr->sync_fd, SYNC_USERMAP_ACK, 0, 0, NULL) < 0)
        return sync_failed(cr, "sync", err);
      break;
    case SYNC_PID:
      cr->init = m.pid;
      while (waitpid(cr->stage1, NULL, 0) < 0 && errno == EINTR)
        ;
      cr->stage1 = cr->init; /* now our child: we are a subreaper */
      if (sync_send(cr->sync_fd, SYNC_PID_ACK, 0, 0, NULL) < 0)
        return sync_failed(cr, "sync", err);
      break;
    case SYNC_TIMENS:
      if (ns_write_time_offsets(cr->init, c->spec, err) < 0)
        return -1;
      if (sync_send(cr->sync_fd, SYNC_TIMENS_ACK, 0, 0, NULL) < 0)
        return sync_failed(cr, "sync", err);
      break;
    case SYNC_HOOKS:
      if (run_runtime_hooks(cr, err) < 0)
        return -1;
      break;
    case SYNC_SECCOMP:
      if (send_to_listener(cr, rfd, err) < 0)
        return -1;
      break;
    case SYNC_READY:
      return 0;
    case SYNC_ERROR:
      return sync_error(&m, payload, err);
    default:
      return herr_set(err, EPROTO, "unexpected message %u from the container init", m.type);
    }
  }
}

static bool any_hooks(const struct spec *s)
{
  return s->hooks.n_hooks[SPEC_HOOK_PRESTART] || s->hooks.n_hooks[SPEC_HOOK_CREATE_RUNTIME] ||
         s->hooks.n_hooks[SPEC_HOOK_CREATE_CONTAINER] ||
         s->hooks.n_hooks[SPEC_HOOK_START_CONTAINER];
}

static int check_preserved(int n, herr_t *err)
{
  for (int fd = 3; fd < 3 + n; fd++)
    if (fcntl(fd, F_GETFD) < 0)
      return herr_set(err, EBADF, "--preserve-fds: fd %d is not open", fd);
  return 0;
}

static int listen_fds(void)
{
  const char *n = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
  if (!n || !*n)
    return 0;
  if (pid && *pid && atoi(pid) != getpid())
    return 0;
  int v = atoi(n);
  return v > 0 ? v : 0;
}

static void creation_cleanup(struct creation *cr, bool failed)
{
  if (cr->sync_fd >= 0)
    close(cr->sync_fd);
  if (cr->start_sock >= 0)
    close(cr->start_sock);
  if (cr->console_fd >= 0)
    close(cr->console_fd);
  if (cr->console_local >= 0)
    close(cr->console_local);
  cr->sync_fd = cr->start_sock = cr->console_fd = cr->console_local = -1;
  ns_plan_close(&cr->ns);
  seccomp_bpf_free(cr->seccomp);
  cr->seccomp = NULL;
  rootfs_free_binds(cr->c->spec, cr->bind_fds);
  cr->bind_fds = NULL;
  if (!failed)
    return;
  kill_and_reap(cr);
  struct cgroup_manager **sharers = NULL;
  size_t n_sharers = cr->c->cgroup && cr->cgroup_made ? state_cgroup_sharers(cr->c, &sharers) : 0;
  if (cr->c->cgroup && cr->cgroup_made && n_sharers == 0) {
    _cleanup_herr_ herr_t e = NULL;
    if (cgroup_destroy(cr->c->cgroup, &e) < 0)
      hlog_warn("create %s: removing the cgroup: %s", cr->c->id, e->msg);
  }
  state_cgroup_sharers_free(sharers, n_sharers);
  state_dir_remove(cr->c);
  container_free(cr->c);
  cr->c = NULL;
}

/* Rootless: use the cgroup where it is delegated to us (writable); else
 * run without one when the config asks for no limits, as runc does. */
static int rootless_cgroup(struct creation *cr, herr_t *err)
{
  struct container *c = cr->c;
  const struct spec *s = c->spec;
  const char *dir = cgroup_unwritable_dir(c->cgroup);
  const char *limit = s->has_linux ? cgroup_first_limit(&s->linux_.resources) : NULL;
  if (dir && limit)
    return herr_set(err, EPERM,
                    "linux.resources.%s: limits need a cgroup, and rootless uid %u cannot write "
                    "%s (not delegated): remove the limits or delegate the cgroup",
                    limit, (unsigned)geteuid(), dir);
  if (s->has_linux && s->linux_.resources.n_devices)
    hlog_warn("create %s: linux.resources.devices: ignored when rootless (device rules need "
              "privilege; the user namespace keeps device access to what the user has)",
              c->id);
  if (!dir)
    return 0;
  hlog_debug("create %s: rootless: %s is not writable, running without a cgroup", c->id, dir);
  cgroup_manager_free(c->cgroup);
  c->cgroup = NULL;
  return 0;
}

/* uid 0 in a user namespace that maps only part of the host (rootless
 * podman): the kernel refused the cgroup; that is rootless, decided only
 * now so that real root never reads uid_map. */
static bool refused_as_userns_root(struct creation *cr, const struct create_opts *o, herr_t *err)
{
  int e = *err ? (*err)->errnum : 0;
  if (cr->rootless || o->rootless_mode == ROOTLESS_FALSE ||
      (e != EACCES && e != EPERM && e != EROFS) || !rootless_in_partial_userns())
    return false;
  cr->rootless = true;
  return true;
}

static int create_in_dir(struct creation *cr, const struct create_opts *o, const char *cfg_text,
                         size_t cfg_len, int n_listen, int n_preserved, herr_t *err)
{
  struct container *c = cr->c;
  struct spec *s = c->spec;
  if (container_lock(c, err) < 0)
    return -1;
  /* `hutch start` connects here; the init inherits the listening socket
   * (no path to reach after pivot_root, no permission to need in a user
   * namespace). */
  if (!o->start_in_process) {
    cr->start_sock = state_start_listen(c, err);
    if (cr->start_sock < 0)
      return -1;
  }
  /* Without a user namespace from clone3 or namespaces to join, the init
   * can start its setup while we finish its cgroup (the v1 dirs: 2 cores,
   * ~0.4 ms of a `run`); it waits for SYNC_GO before anything that needs it. */
  bool go_late = !(cr->ns.clone_flags & CLONE_NEWUSER) && !cr->ns.join_first;
  /* --systemd-cgroup picks the bus now: uid 0 in a user namespace that maps
   * only part of the host (rootless podman) talks to the user's systemd,
   * as runc does.  (A D-Bus round trip dwarfs reading uid_map.) */
  if (o->cgroup_driver == &cgroup_driver_systemd && !cr->rootless &&
      o->rootless_mode == ROOTLESS_AUTO && rootless_in_partial_userns())
    cr->rootless = true;
  /* cgroupfs without linux.cgroupsPath (rootless podman's cgroupfs
   * manager): a rootless container's cgroup goes beside ours, as runc does,
   * where a user's session has its delegated cgroups.  Only without a path:
   * real root reads uid_map for nothing else. */
  const char *cg_path = s->has_linux ? s->linux_.cgroups_path : NULL;
  _cleanup_free_ char *beside = NULL;
  if (o->cgroup_driver != &cgroup_driver_systemd && (!cg_path || !*cg_path) &&
      o->rootless_mode != ROOTLESS_FALSE &&
      (cr->rootless || (o->rootless_mode == ROOTLESS_AUTO && rootless_in_partial_userns())) &&
      (beside = rootless_default_cgroup(o->id))) {
    cr->rootless = true;
    cg_path = beside;
  }
  struct cgroup_config cgc = {
      .id = o->id,
      .path = cg_path,
      .spec = s,
      .init_runs_early = go_late,
      .rootless = cr->rootless, /* no device rules: they need privilege */
  };
  if (cgroup_manager_new(o->cgroup_driver ? o->cgroup_driver : &cgroup_driver_fs, &cgc, &c->cgroup,
                         err) < 0)
    return -1;
  if (cr->rootless && rootless_cgroup(cr, err) < 0)
    return -1;
  /* Before making it: killed from here on, we leave it to `delete`. */
  if (state_write_cgroup(c, err) < 0)
    return -1;
  cr->cgroup_made = true; /* a partial cgroup_create is undone too */
  if (c->cgroup && cgroup_create(c->cgroup, CGROUP_BEFORE_CLONE, 0, err) < 0) {
    if (!refused_as_userns_root(cr, o, err))
      return -1;
    herr_free(err);
    /* Nothing of it was made (a failed create removes what it made). */
    _cleanup_free_ char *cgjson = xasprintf("%s/%s", c->state_dir, STATE_CGROUP);
    unlink(cgjson);
    if (rootless_cgroup(cr, err) < 0)
      return -1;
    if (c->cgroup) /* "writable", yet refused: say what the kernel said */
      return herr_set(err, EPERM, "cgroup: rootless uid 0 in a user namespace cannot create it");
  }
  if (s->process.terminal && o->console_socket) {
    cr->console_fd = console_socket_connect(o->console_socket, err);
    if (cr->console_fd < 0)
      return -1;
  } else if (s->process.terminal) {
    /* run -t: the init sends the pty master to us; the caller relays it. */
    int cv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cv) < 0)
      return herr_sys(err, "socketpair for the console");
    cr->console_local = cv[0];
    cr->console_fd = cv[1];
  }
  /* clone3 places the child in the unified cgroup: a frozen one would
   * freeze it there and `create` would wait for it forever. */
  if (c->cgroup && cgroup_check_thawed(c->cgroup, true, err) < 0)
    return -1;
  /* With a user namespace, bind sources are opened here, in the host's
   * namespaces: the init inherits the trees. */
  if (rootfs_prepare_binds(s, c->bundle, 0, &cr->bind_fds, err) < 0)
    return -1;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return herr_sys(err, "socketpair");
  cr->sync_fd = sv[0];
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  if (o->stdio_relay && !s->process.terminal && prepare_stdio_relay(o->stdio_relay, s, err) < 0)
    return -1;
  struct init_config ic = {
      .spec = s,
      .id = o->id,
      .rootfs = c->rootfs,
      .no_pivot = o->no_pivot,
      .no_new_keyring = o->no_new_keyring,
      .ns = &cr->ns,
      .sync_fd = sv[1],
      .parent_fd = sv[0],
      .start_sock = cr->start_sock,
      .console_fd = cr->console_fd,
      .n_preserved = n_preserved,
      .listen_fds = n_listen,
      .need_hooks_sync = any_hooks(s),
      .bundle = c->bundle,
      .seccomp = cr->seccomp,
      .cgroup = c->cgroup,
      .go_late = go_late,
      .maps_by_unprivileged = cr->ns.new_ns[SPEC_NS_USER] && geteuid() != 0,
      .stdio = o->stdio_relay ? o->stdio_relay->child : NULL,
      .stdio_given = !o->foreground,
      .bind_fds = cr->bind_fds,
  };
  fflush(stdout);
  fflush(stderr);
  pid_t pid = clone_init(cr);
  if (pid < 0) {
    herr_sys(err, "clone the container init");
    close(sv[1]);
    return -1;
  }
  if (pid == 0) {
    ic.cgroup_placed = cr->placed;
    init_main(&ic);
  }
  close(sv[1]);
  cr->stage1 = cr->init = pid;
  if (c->cgroup && cgroup_create(c->cgroup, CGROUP_AFTER_CLONE, pid, err) < 0)
    return -1;
  if (write_file_new_nofollow(c->dir_fd, STATE_CONFIG, cfg_text, cfg_len, 0600, err) < 0)
    return herr_wrap(err, "%s", c->state_dir);
  if (parent_sync(cr, err) < 0)
    return -1;
  if (cr->console_local >= 0) {
    char name[64];
    int master = console_recv_fd(cr->console_local, name, sizeof(name), err);
    if (master < 0)
      return herr_wrap(err, "receiving the pty master");
    *o->console_master = master;
  }

  c->pid = cr->init;
  if (proc_stat_start(c->pid, &c->pid_start, NULL) < 0)
    return herr_set(err, ESRCH, "the container init (pid %d) is gone", (int)c->pid);
  if (c->cgroup && cgroup_existed(c->cgroup)) {
    /* A cgroup another container of ours made: the last one deleted removes it. */
    struct cgroup_manager **sharers = NULL;
    size_t n = state_cgroup_sharers(c, &sharers);
    for (size_t i = 0; i < n; i++)
      cgroup_adopt(c->cgroup, sharers[i]);
    state_cgroup_sharers_free(sharers, n);
  }
  if (state_write(c, err) < 0)
    return -1;
  if (o->start_in_process) {
    c->start_fd = cr->sync_fd; /* container_start tells the init to go on */
    cr->sync_fd = -1;
  }
  if (o->pid_file && write_pid_file(o->pid_file, c->pid, err) < 0)
    return -1;
  return 0;
}

int container_create(const struct create_opts *o, struct container **out, herr_t *err)
{
  if (container_validate_id(o->id, err) < 0)
    return -1;
  int n_listen = listen_fds();
  int n_preserved = n_listen + (o->preserve_fds > 0 ? o->preserve_fds : 0);
  if (check_preserved(n_preserved, err) < 0)
    return -1;

  char bundle[PATH_MAX];
  if (!realpath(o->bundle ? o->bundle : ".", bundle))
    return herr_sys(err, "bundle %s", o->bundle ? o->bundle : ".");
  _cleanup_free_ char *cfg_path = xasprintf("%s/config.json", bundle);
  _cleanup_free_ char *cfg_text = NULL;
  size_t cfg_len = 0;
  /* A fifo (or device) named config.json would block the read forever; a
   * 100 MB one would only eat memory.  (spec/parse.c has the same limit.) */
  struct stat cfg_st;
  if (stat(cfg_path, &cfg_st) == 0 && (!S_ISREG(cfg_st.st_mode) || cfg_st.st_size > (64 << 20)))
    return herr_set(err, 0, "bundle %s: %s: %s", bundle, cfg_path,
                    S_ISREG(cfg_st.st_mode) ? "too big (the limit is 64 MiB)"
                                            : "not a regular file");
  if (read_file_at(AT_FDCWD, cfg_path, &cfg_text, &cfg_len, err) < 0)
    return herr_wrap(err, "bundle %s", bundle);
  struct spec *s = NULL;
  if (spec_parse(cfg_text, cfg_len, "config.json", &s, err) < 0)
    return -1;
  /* The one validation pass: from here on the config is trusted (the init
   * checks nothing again). */
  char *rootfs = NULL;
  struct validate_opts vo = {
      .bundle = bundle,
      .console = o->console_socket || (o->foreground && o->console_master),
      .rootless = o->rootless,
  };
  if (validate_config(s, &vo, &rootfs, err) < 0) {
    spec_free(s);
    return -1;
  }
  /* A root others can write is refused before anything is made; a missing
   * one is made below, once the config is known to be good. */
  int root_fd = state_root_open(o->root, false, err);
  if (root_fd < 0 && (*err)->errnum == ENOENT) {
    herr_free(err);
  } else if (root_fd < 0) {
    free(rootfs);
    spec_free(s);
    return -1;
  }
  struct seccomp_bpf *bpf = NULL;
  if (s->has_linux && s->linux_.has_seccomp &&
      seccomp_compile_cached(&s->linux_.seccomp, root_fd, &bpf, err) < 0) {
    if (root_fd >= 0)
      close(root_fd);
    free(rootfs);
    spec_free(s);
    return -1;
  }

  struct creation cr = {
      .sync_fd = -1, .start_sock = -1, .console_fd = -1, .console_local = -1, .seccomp = bpf};
  struct container *c = xcalloc(1, sizeof(*c));
  c->lock_fd = -1;
  c->start_fd = -1;
  c->root_fd = root_fd;
  c->dir_fd = -1;
  c->id = xstrdup(o->id);
  c->state_dir = xasprintf("%s/%s", o->root, o->id);
  c->bundle = xstrdup(bundle);
  c->rootfs = rootfs;
  c->created = rfc3339nano_now();
  c->owner = xstrdup("");
  c->spec = s;
  cr.c = c;
  cr.rootless = o->rootless;
  if (ns_plan_make(s, &cr.ns, err) < 0) {
    seccomp_bpf_free(bpf);
    container_free(c);
    return -1;
  }
  if (c->root_fd < 0)
    c->root_fd = state_root_open(o->root, true, err);
  if (c->root_fd >= 0)
    c->dir_fd = state_dir_create(c->root_fd, o->id, err);
  if (c->dir_fd < 0) {
    ns_plan_close(&cr.ns);
    seccomp_bpf_free(bpf);
    container_free(c);
    return -1;
  }
  /* From here on, a failure removes the state dir. */
  if (create_in_dir(&cr, o, cfg_text, cfg_len, n_listen, n_preserved, err) < 0) {
    creation_cleanup(&cr, true);
    return -1;
  }
  creation_cleanup(&cr, false);
  *out = c;
  return 0;
}
