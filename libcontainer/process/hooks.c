/* OCI hooks: spawn, feed the state on stdin, capture output, enforce timeout.
 *
 * The hook is started with posix_spawn (vfork-like, exec errors come back as
 * the return value) in its own process group, with the default signal
 * dispositions, an empty signal mask and every fd >= 3 closed.  The parent
 * then runs one poll loop over: the stdin pipe (the state is written without
 * blocking, EPIPE from a hook that does not read it is ignored), the stdout and
 * stderr pipes (kept, bounded), and a pidfd for the exit.  Once the hook has
 * exited its pipes are drained without waiting: a daemon it left behind that
 * holds them open does not block us. */
#include "libcontainer/process/hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/log.h"
#include "libcontainer/utils/fileio.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* How much of each output stream we keep (the head: that is what the error
 * message quotes) and how much of the first line goes into the message. */
#define HOOK_OUTPUT_KEEP 4096
#define HOOK_MSG_MAX 200

static const char *const hook_names[SPEC_HOOK_KINDS] = {
    [SPEC_HOOK_PRESTART] = "prestart",
    [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
    [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
    [SPEC_HOOK_START_CONTAINER] = "startContainer",
    [SPEC_HOOK_POSTSTART] = "poststart",
    [SPEC_HOOK_POSTSTOP] = "poststop",
};

struct outbuf {
  char data[HOOK_OUTPUT_KEEP + 1];
  size_t len;
};

struct hook_run {
  pid_t pid;
  int pidfd;  /* -1 when pidfd_open is unavailable */
  int in_fd;  /* our end of the hook's stdin, -1 once done */
  int out_fd; /* our end of stdout, -1 at EOF */
  int err_fd; /* our end of stderr, -1 at EOF */
  const char *input;
  size_t input_len, input_off;
  struct outbuf out, errb;
  siginfo_t status;
  int exited;
  int timed_out;
};

static void close_fd(int *fd)
{
  if (*fd >= 0) {
    close(*fd);
    *fd = -1;
  }
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is available from *fd into b (excess is discarded); close at EOF. */
static void drain(int *fd, struct outbuf *b)
{
  char tmp[4096];
  for (;;) {
    ssize_t n = read(*fd, tmp, sizeof(tmp));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return;
    if (n <= 0) {
      close_fd(fd);
      return;
    }
    size_t room = HOOK_OUTPUT_KEEP - b->len;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(b->data + b->len, tmp, take);
    b->len += take;
  }
}

static void feed_stdin(struct hook_run *r)
{
  while (r->input_off < r->input_len) {
    ssize_t n = write(r->in_fd, r->input + r->input_off, r->input_len - r->input_off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return;
    if (n < 0) /* EPIPE: the hook does not read its stdin, which is fine */
      break;
    r->input_off += (size_t)n;
  }
  close_fd(&r->in_fd);
}

/* Reap the hook if it has exited (WNOHANG); returns 1 when reaped. */
static int try_reap(struct hook_run *r)
{
  memset(&r->status, 0, sizeof(r->status));
  if (waitid(P_PID, (id_t)r->pid, &r->status, WEXITED | WNOHANG) < 0)
    return errno == ECHILD ? -1 : 0;
  return r->status.si_pid == r->pid;
}

static void kill_hook(struct hook_run *r)
{
  /* The hook leads its own process group: take its children down too. */
  if (kill(-r->pid, SIGKILL) < 0)
    kill(r->pid, SIGKILL);
}

/* The poll loop: returns 0 once the hook is reaped, -1 (errno) on failure. */
static int supervise(struct hook_run *r, int timeout_s)
{
  long long deadline = timeout_s > 0 ? now_ms() + (long long)timeout_s * 1000 : -1;
  while (!r->exited) {
    struct pollfd p[4];
    int n = 0, i_in = -1, i_out = -1, i_err = -1, i_pid = -1;
    if (r->in_fd >= 0)
      i_in = n, p[n++] = (struct pollfd){.fd = r->in_fd, .events = POLLOUT};
    if (r->out_fd >= 0)
      i_out = n, p[n++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
    if (r->err_fd >= 0)
      i_err = n, p[n++] = (struct pollfd){.fd = r->err_fd, .events = POLLIN};
    if (r->pidfd >= 0)
      i_pid = n, p[n++] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};

    int wait_ms = -1;
    if (deadline >= 0) {
      long long left = deadline - now_ms();
      wait_ms = left > 0 ? (int)left : 0;
    }
    if (r->pidfd < 0 && (wait_ms < 0 || wait_ms > 20))
      wait_ms = 20; /* no pidfd: poll for the exit */

    int rc = poll(p, (nfds_t)n, wait_ms);
    if (rc < 0 && errno != EINTR)
      return -1;
    if (rc > 0) {
      if (i_in >= 0 && p[i_in].revents)
        feed_stdin(r);
      if (i_out >= 0 && p[i_out].revents)
        drain(&r->out_fd, &r->out);
      if (i_err >= 0 && p[i_err].revents)
        drain(&r->err_fd, &r->errb);
    }
    if (r->pidfd < 0 || (i_pid >= 0 && rc > 0 && p[i_pid].revents)) {
      int reaped = try_reap(r);
      if (reaped < 0)
        return -1;
      if (reaped) {
        r->exited = 1;
        break;
      }
    }
    if (deadline >= 0 && now_ms() >= deadline) {
      r->timed_out = 1;
      kill_hook(r);
      if (waitid(P_PID, (id_t)r->pid, &r->status, WEXITED) < 0)
        return -1;
      r->exited = 1;
    }
  }
  /* Whatever is already in the pipes; writers left behind are not waited for. */
  if (r->out_fd >= 0)
    drain(&r->out_fd, &r->out);
  if (r->err_fd >= 0)
    drain(&r->err_fd, &r->errb);
  return 0;
}

/* The first non-blank line of a captured stream, trimmed, at most
 * HOOK_MSG_MAX bytes; NULL when there is none.  Points into b (modified). */
static const char *first_line(struct outbuf *b)
{
  b->data[b->len] = '\0';
  char *s = b->data;
  for (;;) {
    s += strspn(s, " \t\r\n");
    if (!*s)
      return NULL;
    char *eol = s + strcspn(s, "\r\n");
    while (eol > s && (eol[-1] == ' ' || eol[-1] == '\t'))
      eol--;
    if (eol - s > HOOK_MSG_MAX) {
      eol = s + HOOK_MSG_MAX;
      memcpy(eol - 3, "...", 3);
    }
    *eol = '\0';
    return s;
  }
}

/* Only 0, 1, 2 reach the hook, whatever the runtime left without CLOEXEC. */
static void close_other_fds(posix_spawn_file_actions_t *fa)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(fa, 3);
#else
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != dirfd(d) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
      posix_spawn_file_actions_addclose(fa, fd);
  }
  if (d)
    closedir(d);
#endif
}

static int spawn_hook(const struct spec_hook *h, struct hook_run *r, int fds_child[3])
{
  size_t argc = h->n_args ? h->n_args : 1;
  _cleanup_free_ char **argv = xcalloc(argc + 1, sizeof(char *));
  _cleanup_free_ char **envp = xcalloc(h->n_env + 1, sizeof(char *));
  if (h->n_args)
    memcpy(argv, h->args, h->n_args * sizeof(char *));
  else
    argv[0] = h->path;
  if (h->n_env)
    memcpy(envp, h->env, h->n_env * sizeof(char *));

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 3; i++)
    posix_spawn_file_actions_adddup2(&fa, fds_child[i], i);
  close_other_fds(&fa);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  int rc = posix_spawn(&r->pid, h->path, &fa, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc; /* 0 or an errno value */
}

/* A CLOEXEC pipe whose fds are >= 3 (so the child's dup2 onto 0..2 never
 * clobbers one of them), with one end non-blocking. */
static int make_pipe(int p[2], int nonblock_end, herr_t *err)
{
  if (pipe2(p, O_CLOEXEC) < 0)
    return herr_sys(err, "pipe");
  for (int i = 0; i < 2; i++) {
    if (p[i] < 3) {
      int fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3);
      if (fd < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        p[0] = p[1] = -1;
        return herr_errno(err, e, "pipe");
      }
      close(p[i]);
      p[i] = fd;
    }
  }
  fcntl(p[nonblock_end], F_SETFL, O_NONBLOCK);
  return 0;
}

/* Run one hook; on failure the error is "exited with status 3: ..." etc.
 * (the caller prefixes the hook's identity). */
static int run_one(const struct spec_hook *h, const char *state_json, herr_t *err)
{
  struct hook_run *r = xcalloc(1, sizeof(*r));
  int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1}, ret = -1;
  r->pid = -1;
  r->pidfd = r->in_fd = r->out_fd = r->err_fd = -1;
  r->input = state_json ? state_json : "";
  r->input_len = strlen(r->input);

  if (make_pipe(in, 1, err) < 0 || make_pipe(out, 0, err) < 0 || make_pipe(errp, 0, err) < 0)
    goto out_pipes;

  int fds_child[3] = {in[0], out[1], errp[1]};
  int rc = spawn_hook(h, r, fds_child);
  if (rc != 0) {
    herr_errno(err, rc, "exec");
    goto out_pipes;
  }
  r->in_fd = steal_fd(&in[1]);
  r->out_fd = steal_fd(&out[0]);
  r->err_fd = steal_fd(&errp[0]);
  close_fd(&in[0]);
  close_fd(&out[1]);
  close_fd(&errp[1]);

  r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
  if (r->input_len == 0)
    close_fd(&r->in_fd);
  else
    feed_stdin(r);
  if (supervise(r, h->has_timeout ? h->timeout : 0) < 0) {
    herr_sys(err, "wait");
    kill_hook(r);
    waitid(P_PID, (id_t)r->pid, &r->status, WEXITED);
    goto out_pipes;
  }

  /* With --debug, the whole (kept) output; the error quotes one line. */
  r->errb.data[r->errb.len] = '\0';
  r->out.data[r->out.len] = '\0';
  if (r->errb.len)
    hlog_debug("hook %s stderr: %s", h->path, r->errb.data);
  if (r->out.len)
    hlog_debug("hook %s stdout: %s", h->path, r->out.data);

  const char *errline = first_line(&r->errb);
  const char *outline = errline ? NULL : first_line(&r->out);
  const char *line = errline ? errline : outline;
  if (r->timed_out)
    herr_set(err, 0, "timed out after %ds", h->timeout);
  else if (r->status.si_code == CLD_EXITED && r->status.si_status == 0)
    ret = 0;
  else if (r->status.si_code == CLD_EXITED)
    herr_set(err, 0, "exited with status %d%s%s", r->status.si_status, line ? ": " : "",
             line ? line : "");
  else
    herr_set(err, 0, "killed by signal %d%s%s", r->status.si_status, line ? ": " : "",
             line ? line : "");

out_pipes:
  close_fd(&in[0]);
  close_fd(&in[1]);
  close_fd(&out[0]);
  close_fd(&out[1]);
  close_fd(&errp[0]);
  close_fd(&errp[1]);
  close_fd(&r->in_fd);
  close_fd(&r->out_fd);
  close_fd(&r->err_fd);
  close_fd(&r->pidfd);
  free(r);
  return ret;
}

/* Run the hooks of `kind` in order. With `warn_ctx` NULL, stop at the first
 * failure and return it in `err`; otherwise log each failure as a warning
 * "WARN_CTX ID: <error>", go on with the next hook and return how many failed. */
static int run_hooks(const struct spec *s, enum spec_hook_kind kind, const char *state_json,
                     const char *warn_ctx, const char *id, herr_t *err)
{
  /* A hook that exits without reading stdin must not SIGPIPE us: block the
   * signal while feeding, then discard one we caused. */
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old);
  sigset_t pending;
  sigpending(&pending);
  int was_pending = sigismember(&pending, SIGPIPE);

  /* An ignored SIGCHLD (or SA_NOCLDWAIT) would auto-reap the hook and lose
   * its exit status: use the default disposition while hooks run. */
  struct sigaction chld_old, chld_dfl = {.sa_handler = SIG_DFL};
  sigaction(SIGCHLD, NULL, &chld_old);
  int chld_changed = chld_old.sa_handler == SIG_IGN || (chld_old.sa_flags & SA_NOCLDWAIT);
  if (chld_changed)
    sigaction(SIGCHLD, &chld_dfl, NULL);

  int ret = 0;
  for (size_t i = 0; i < s->hooks.n_hooks[kind]; i++) {
    const struct spec_hook *h = &s->hooks.hooks[kind][i];
    hlog_debug("running %s hook #%zu: %s", hook_names[kind], i, h->path);
    _cleanup_herr_ herr_t e = NULL;
    if (run_one(h, state_json, &e) < 0) {
      herr_wrap(&e, "%s hook #%zu (%s)", hook_names[kind], i, h->path);
      if (warn_ctx) {
        hlog_warn("%s %s: %s", warn_ctx, id, e->msg);
        ret++;
        continue;
      }
      *err = e;
      e = NULL;
      ret = -1;
      break;
    }
  }

  if (chld_changed)
    sigaction(SIGCHLD, &chld_old, NULL);
  if (!was_pending) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
      ;
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  return ret;
}

int hooks_run(const struct spec *s, enum spec_hook_kind kind, const char *state_json, herr_t *err)
{
  if (!s || (unsigned)kind >= SPEC_HOOK_KINDS || s->hooks.n_hooks[kind] == 0)
    return 0;
  return run_hooks(s, kind, state_json, NULL, NULL, err);
}

int hooks_run_all(const struct spec *s, enum spec_hook_kind kind, const char *state_json,
                  const char *warn_ctx, const char *id)
{
  if (!s || (unsigned)kind >= SPEC_HOOK_KINDS || s->hooks.n_hooks[kind] == 0)
    return 0;
  return run_hooks(s, kind, state_json, warn_ctx, id, NULL);
}
