/* The container init (runs in the child cloned by `hutch create`).
 *
 * Order: wait for the parent (limits, id maps) -> join the cgroup -> join
 * namespace paths / unshare the rest (forking the real init when a pid
 * namespace only applies to children) -> cgroup and time namespaces ->
 * hostname -> rootfs_prepare -> [parent runs prestart + createRuntime hooks]
 * -> createContainer hooks -> rootfs_pivot -> console -> rootfs_finalize ->
 * cwd + executable lookup -> READY -> wait for START -> process setup
 * (user, caps, no_new_privs, seccomp) -> startContainer hooks -> execve.
 * With go_late the first two steps wait until something needs the cgroup or
 * the parent (wait_go).  Every message, every error included, is one of
 * sync.h: until READY to the parent over the sync socket; after it, to
 * whoever sent START: `hutch start` over its connection to start.sock, or
 * `run` over the sync socket. */
#include "libcontainer/process/init.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/process/process.h"
#include "libcontainer/process/stdio_relay.h"
#include "libcontainer/rootfs/rootfs.h"
#include "libcontainer/security/security.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/utils/fileio.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

__attribute__((noreturn)) static void fail(struct init_config *cfg, herr_t *err)
{
  sync_send_error(cfg->sync_fd, err);
  _exit(1);
}

/* The state document the parent sent, with another status. */
static char *with_status(const char *state_json, const char *status)
{
  json_t *j = state_json ? json_loads(state_json, 0, NULL) : NULL;
  if (!j)
    return xstrdup(state_json ? state_json : "{}");
  json_object_set_new(j, "status", json_string(status));
  char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  return text ? text : xstrdup("{}");
}

static void reset_signals(void)
{
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  struct sigaction sa = {.sa_handler = SIG_DFL};
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &sa, NULL);
}

static void close_inherited(struct init_config *cfg)
{
  size_t n_binds = cfg->bind_fds ? cfg->spec->n_mounts : 0;
  _cleanup_free_ int *keep = xmalloc((4 + SPEC_NS_TYPES + n_binds) * sizeof(int));
  size_t n = 0;
  keep[n++] = cfg->sync_fd;
  keep[n++] = cfg->start_sock;
  keep[n++] = cfg->console_fd;
  for (int t = 0; t < SPEC_NS_TYPES; t++)
    keep[n++] = cfg->ns->fds[t];
  for (size_t i = 0; i < n_binds; i++)
    keep[n++] = cfg->bind_fds[i];
  close_fds_except(3 + cfg->n_preserved, keep, n);
}

static int join_and_unshare(struct init_config *cfg, herr_t *err)
{
  struct ns_plan *ns = cfg->ns;
  if (ns_join_user(ns, err) < 0 || ns_join_others(ns, err) < 0)
    return -1;
  if (ns->new_ns[SPEC_NS_USER]) {
    if (unshare(CLONE_NEWUSER) < 0)
      return herr_sys(err, "unshare the user namespace");
    if (sync_send(cfg->sync_fd, SYNC_USERMAP, 0, 0, NULL) < 0)
      return herr_sys(err, "sync");
    if (sync_expect(cfg->sync_fd, SYNC_USERMAP_ACK, NULL, "uid/gid maps", err) < 0)
      return -1;
  }
  return ns_unshare_rest(ns, err);
}

/* A joined or unshared pid namespace applies to children only: fork the
 * process that becomes the container's init; this one reports its pid and
 * exits. */
static int fork_real_init(struct init_config *cfg, herr_t *err)
{
  pid_t pid = fork();
  if (pid < 0)
    return herr_sys(err, "fork the container init");
  if (pid > 0) {
    sync_send(cfg->sync_fd, SYNC_PID, 0, pid, NULL);
    _exit(0);
  }
  /* Once the parent has reaped the intermediate, it is our parent (a
   * subreaper): from then on its death kills us. */
  if (sync_expect(cfg->sync_fd, SYNC_PID_ACK, NULL, "init", err) < 0)
    return -1;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    return herr_sys(err, "set the parent-death signal");
  return 0;
}

static int setup_time(struct init_config *cfg, herr_t *err)
{
  if (ns_unshare_time(err) < 0)
    return -1;
  if (cfg->spec->linux_.n_time_offsets) {
    if (sync_send(cfg->sync_fd, SYNC_TIMENS, 0, 0, NULL) < 0)
      return herr_sys(err, "sync");
    if (sync_expect(cfg->sync_fd, SYNC_TIMENS_ACK, NULL, "time offsets", err) < 0)
      return -1;
  }
  return ns_enter_time(err);
}

/* `hutch start` connects to start.sock and sends START.  A connection that
 * closes or says anything else is dropped, and the next one awaited: only
 * START starts the process.  Returns the connection, or -1 (_exit). */
static int accept_start(struct init_config *cfg)
{
  for (;;) {
    int conn;
    do
      conn = accept4(cfg->start_sock, NULL, NULL, SOCK_CLOEXEC);
    while (conn < 0 && (errno == EINTR || errno == ECONNABORTED));
    if (conn < 0)
      _exit(1);
    struct sync_msg m;
    if (sync_recv(conn, &m, NULL) == 1 && m.type == SYNC_START) {
      close(cfg->start_sock);
      cfg->start_sock = -1;
      return conn;
    }
    close(conn);
  }
}

/* After READY: wait for START and become the process (the startContainer
 * hooks run last, in process_exec).  A failure goes back as SYNC_ERROR over the channel START came
 * on; on success that channel closes at execve (O_CLOEXEC): EOF there. */
__attribute__((noreturn)) static void wait_start(struct init_config *cfg,
                                                 const struct process_desc *pd, const char *exe,
                                                 const char *state_json)
{
  _cleanup_herr_ herr_t err = NULL;
  int fd = cfg->sync_fd;
  if (cfg->start_sock < 0) { /* `run` */
    if (sync_expect(fd, SYNC_START, NULL, "start", &err) < 0)
      _exit(1); /* the parent is gone or failed: nobody to start us */
  } else {
    close(cfg->sync_fd);
    cfg->sync_fd = -1;
    fd = accept_start(cfg);
  }
  struct process_desc d = *pd;
  _cleanup_free_ char *created = d.start_hooks ? with_status(state_json, "created") : NULL;
  d.start_state = created;
  process_exec(&d, exe, &err);
  sync_send_error(fd, &err);
  _exit(1);
}

/* Wait for SYNC_GO (once), then join the cgroup.  Never returns on failure. */
static void wait_go(struct init_config *cfg)
{
  if (cfg->got_go)
    return;
  cfg->got_go = true;
  _cleanup_herr_ herr_t err = NULL;
  struct sync_msg m;
  int fds[SYNC_MAX_FDS];
  size_t n = 0;
  if (sync_recv_fds(cfg->sync_fd, &m, NULL, fds, SYNC_MAX_FDS, &n) <= 0 || m.type != SYNC_GO)
    _exit(1); /* the parent failed (and reports it) or is gone */
  int r = cfg->cgroup ? cgroup_enter_self_fds(cfg->cgroup, cfg->cgroup_placed, fds, n, &err) : 0;
  for (size_t i = 0; i < n; i++)
    close(fds[i]);
  if (r < 0)
    fail(cfg, &err);
}

static void need_cgroup(void *arg)
{
  wait_go(arg);
}

void init_main(struct init_config *cfg)
{
  _cleanup_herr_ herr_t err = NULL;
  const struct spec *s = cfg->spec;
  struct ns_plan *ns = cfg->ns;

  close(cfg->parent_fd);
  if (stdio_relay_child_fds(cfg->stdio) < 0) {
    herr_sys(&err, "stdio relay: dup the pipes onto 0, 1, 2");
    fail(cfg, &err);
  }
  /* Before anything of the container can see us (CVE-2019-5736). */
  if (!cfg->maps_by_unprivileged && security_make_undumpable(&err) < 0)
    fail(cfg, &err);
  reset_signals();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
    herr_sys(&err, "set the parent-death signal");
    fail(cfg, &err);
  }
  close_inherited(cfg);

  /* The parent has made the cgroup, set its limits and written the id maps;
   * with go_late it is still making the cgroup while we start. */
  if (!cfg->go_late)
    wait_go(cfg);

  if (ns->join_first) {
    if (join_and_unshare(cfg, &err) < 0)
      fail(cfg, &err);
    if ((ns->new_ns[SPEC_NS_PID] || ns->pid_joined) && fork_real_init(cfg, &err) < 0)
      fail(cfg, &err);
  }
  /* Our id maps are written by now (GO, or USERMAP_ACK when joining first). */
  if (cfg->maps_by_unprivileged &&
      (security_set_oom_score_adj(&s->process, &err) < 0 || security_make_undumpable(&err) < 0))
    fail(cfg, &err);
  if (ns->new_ns[SPEC_NS_USER] || ns->user_joined) {
    if (ns_become_root(&err) < 0)
      fail(cfg, &err);
    /* A credential change cleared it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
      herr_sys(&err, "set the parent-death signal");
      fail(cfg, &err);
    }
  }
  if (ns->new_ns[SPEC_NS_CGROUP] || ns->new_ns[SPEC_NS_TIME])
    wait_go(cfg); /* the cgroup namespace's root; the parent's time-offset sync */
  if (!ns->join_first && ns->new_ns[SPEC_NS_CGROUP] && unshare(CLONE_NEWCGROUP) < 0) {
    herr_sys(&err, "unshare the cgroup namespace");
    fail(cfg, &err);
  }
  if (ns->new_ns[SPEC_NS_TIME] && setup_time(cfg, &err) < 0)
    fail(cfg, &err);
  if ((ns->new_ns[SPEC_NS_UTS] || ns->joined[SPEC_NS_UTS]) && ns_set_hostname(s, &err) < 0)
    fail(cfg, &err);
  if (!cfg->no_new_keyring) {
    /* Named as runc names it: the kernel refuses names starting with '.'
     * (IDs may), and "_ses." marks a session keyring. */
    char ring[sizeof("_ses.") + 1024];
    snprintf(ring, sizeof(ring), "_ses.%s", cfg->id);
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ring, 0, 0, 0) < 0 && errno != ENOSYS) {
      herr_sys(&err, "join a new session keyring");
      fail(cfg, &err);
    }
  }

  struct rootfs_ctx rc = {
      .spec = s,
      .rootfs = cfg->rootfs,
      .no_pivot = cfg->no_pivot,
      .new_userns = ns->new_ns[SPEC_NS_USER] || ns->user_joined,
      .new_netns = ns->new_ns[SPEC_NS_NETWORK],
      .rootfs_fd = -1,
      .bundle = cfg->bundle,
      .bind_fds = cfg->bind_fds,
      .need_cgroup = need_cgroup,
      .need_cgroup_arg = cfg,
      /* A mount namespace copied from the parent's has its cgroup mounts. */
      .mountinfo = ns->joined[SPEC_NS_MOUNT] ? NULL : cgroup_mountinfo(cfg->cgroup),
  };
  if (rootfs_prepare(&rc, &err) < 0)
    fail(cfg, &err);
  wait_go(cfg); /* at the latest before anything else talks to the parent */

  _cleanup_free_ char *state_json = NULL;
  if (cfg->need_hooks_sync) {
    if (sync_send(cfg->sync_fd, SYNC_HOOKS, 0, 0, NULL) < 0) {
      herr_sys(&err, "sync");
      fail(cfg, &err);
    }
    if (sync_expect(cfg->sync_fd, SYNC_HOOKS_DONE, &state_json, "hooks", &err) < 0)
      _exit(1); /* the parent reported its own error */
    /* As runc: createContainer hooks run in the container's rootfs. */
    if (s->hooks.n_hooks[SPEC_HOOK_CREATE_CONTAINER] && fchdir(rc.rootfs_fd) < 0) {
      herr_sys(&err, "chdir %s", cfg->rootfs);
      fail(cfg, &err);
    }
    if (hooks_run(s, SPEC_HOOK_CREATE_CONTAINER, state_json ? state_json : "{}", &err) < 0)
      fail(cfg, &err);
  }

  if (rootfs_pivot(&rc, &err) < 0)
    fail(cfg, &err);
  if (s->process.terminal && cfg->console_fd >= 0) {
    unsigned h = s->process.has_console_size ? s->process.console_height : 0;
    unsigned w = s->process.has_console_size ? s->process.console_width : 0;
    if (console_setup_in_container(cfg->console_fd, h, w, &err) < 0)
      fail(cfg, &err);
    close(cfg->console_fd);
    cfg->console_fd = -1;
  } else if (setsid() < 0 && getsid(0) != getpid()) {
    /* As runc: the init leads its own session, terminal or not (criu
     * cannot checkpoint a pid namespace whose session leader is outside). */
    herr_sys(&err, "setsid");
    fail(cfg, &err);
  }
  if (rootfs_finalize(&rc, &err) < 0)
    fail(cfg, &err);

  _cleanup_free_ char *exe = NULL;
  if (process_prepare(&s->process, true, &exe, &err) < 0)
    fail(cfg, &err);

  /* The container's process, as process_exec() sets it up after `start`. */
  struct process_desc pd;
  process_desc_init(&pd, s, &s->process, cfg->seccomp);
  pd.n_preserved = cfg->n_preserved;
  pd.listen_fds = cfg->listen_fds;
  pd.stdio = cfg->stdio;
  pd.stdio_given = cfg->stdio_given;
  if (s->hooks.n_hooks[SPEC_HOOK_START_CONTAINER])
    pd.start_hooks = s;
  if (cfg->seccomp && seccomp_uses_notify(&s->linux_.seccomp) &&
      process_load_notify_seccomp(&pd, cfg->sync_fd, &err) < 0)
    fail(cfg, &err);

  /* Still set, it would kill the container once `create` exits. */
  if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
    herr_sys(&err, "clear the parent-death signal");
    fail(cfg, &err);
  }
  if (sync_send(cfg->sync_fd, SYNC_READY, 0, 0, NULL) < 0)
    _exit(1);
  wait_start(cfg, &pd, exe, state_json);
}
