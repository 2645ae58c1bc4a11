/* hooks_run: exit statuses, signals, timeouts, stdin state, argv/env, fds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/utils/fileio.h"

static char tmpdir[] = "/tmp/hutch-test-hooks.XXXXXX";

/* A spec with one hook kind holding `n` hooks (static storage, no spec_free). */
static struct spec spec_with(enum spec_hook_kind kind, struct spec_hook *hooks, size_t n)
{
  struct spec s;
  memset(&s, 0, sizeof(s));
  s.hooks.hooks[kind] = hooks;
  s.hooks.n_hooks[kind] = n;
  return s;
}

/* A /bin/sh -c SCRIPT hook; argv0 defaults to "sh". */
static struct spec_hook sh_hook(char **argv3)
{
  struct spec_hook h = {.path = "/bin/sh", .args = argv3, .n_args = 3};
  return h;
}

/* Run one hook of `kind`; returns the error message (malloc'd) or NULL. */
static char *run1(enum spec_hook_kind kind, struct spec_hook h, const char *state, int *rc)
{
  struct spec s = spec_with(kind, &h, 1);
  _cleanup_herr_ herr_t err = NULL;
  *rc = hooks_run(&s, kind, state, &err);
  return err ? xstrdup(err->msg) : NULL;
}

static char *path_in_tmp(const char *name)
{
  return xasprintf("%s/%s", tmpdir, name);
}

static char *slurp(const char *path)
{
  _cleanup_herr_ herr_t err = NULL;
  char *data = NULL;
  size_t len;
  if (read_file_at(AT_FDCWD, path, &data, &len, &err) < 0)
    return NULL;
  return data;
}

static void test_no_hooks(void)
{
  struct spec s;
  memset(&s, 0, sizeof(s));
  _cleanup_herr_ herr_t err = NULL;
  CHECK(hooks_run(&s, SPEC_HOOK_PRESTART, "{}", &err) == 0);
  CHECK(err == NULL);
}

static void test_success(void)
{
  struct spec_hook h = {.path = "/bin/true"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, h, "{}", &rc);
  CHECK(rc == 0);
  CHECK(msg == NULL);
}

static void test_exit_status(void)
{
  char *a[] = {"sh", "-c", "echo starting; echo 'bad thing happened  ' >&2; echo more >&2; exit 3"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_CREATE_RUNTIME, sh_hook(a), "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg, "createRuntime hook #0 (/bin/sh): exited with status 3: bad thing happened");
}

static void test_exit_status_silent(void)
{
  char *a[] = {"sh", "-c", "exit 42"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_POSTSTOP, sh_hook(a), "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg, "poststop hook #0 (/bin/sh): exited with status 42");
}

static void test_stdout_fallback(void)
{
  char *a[] = {"sh", "-c", "echo; echo 'only on stdout'; exit 1"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg, "prestart hook #0 (/bin/sh): exited with status 1: only on stdout");
}

static void test_long_line_truncated(void)
{
  char *a[] = {"sh", "-c",
               ("i=0; while [ $i -lt 100 ]; do printf 'abcdefghij' >&2; i=$((i+1)); done; "
                "exit 2")};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), "{}", &rc);
  CHECK(rc < 0);
  const char *prefix = "prestart hook #0 (/bin/sh): exited with status 2: ";
  CHECK(msg && strncmp(msg, prefix, strlen(prefix)) == 0);
  CHECK(msg && strlen(msg) == strlen(prefix) + 200);
  CHECK(msg && strcmp(msg + strlen(msg) - 3, "...") == 0);
}

static void test_killed(void)
{
  char *a[] = {"sh", "-c", "echo dying >&2; kill -9 $$"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg, "prestart hook #0 (/bin/sh): killed by signal 9: dying");
}

static void test_timeout(void)
{
  /* The hook's child keeps sleeping too: the whole process group is killed. */
  _cleanup_free_ char *pidfile = path_in_tmp("timeout.pid");
  _cleanup_free_ char *script = xasprintf("sleep 100 & echo $! > %s; wait", pidfile);
  char *a[] = {"sh", "-c", script};
  struct spec_hook h = sh_hook(a);
  h.has_timeout = true;
  h.timeout = 1;
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_POSTSTART, h, "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg, "poststart hook #0 (/bin/sh): timed out after 1s");
  _cleanup_free_ char *pid = slurp(pidfile);
  CHECK(pid != NULL);
  if (pid) {
    pid_t p = (pid_t)atoi(pid);
    /* SIGKILL was sent to the group; the orphan is reaped by init soon, so
     * probe until it is gone (kill(0) fails with ESRCH) or is a zombie. */
    int gone = 0;
    for (int i = 0; i < 500 && !gone; i++) {
      _cleanup_free_ char *stat_path = xasprintf("/proc/%d/stat", p);
      _cleanup_free_ char *st = slurp(stat_path);
      char *rp = st ? strrchr(st, ')') : NULL;
      gone = !st || (rp && (rp[2] == 'Z' || rp[2] == 'X'));
      if (!gone)
        usleep(10000);
    }
    CHECK_MSG(gone, "the hook's child survived the timeout");
  }
}

static void test_missing_binary(void)
{
  struct spec_hook h = {.path = "/nonexistent/hutch-hook"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_CREATE_CONTAINER, h, "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg,
              "createContainer hook #0 (/nonexistent/hutch-hook): exec: No such file or directory");
}

static void test_not_executable(void)
{
  _cleanup_free_ char *p = path_in_tmp("noexec");
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  CHECK(fd >= 0);
  close(fd);
  struct spec_hook h = {.path = p};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_START_CONTAINER, h, "{}", &rc);
  CHECK(rc < 0);
  _cleanup_free_ char *want = xasprintf("startContainer hook #0 (%s): exec: Permission denied", p);
  CHECK_STREQ(msg, want);
}

static void test_state_on_stdin(void)
{
  _cleanup_free_ char *out = path_in_tmp("state.json");
  _cleanup_free_ char *script = xasprintf("cat > %s", out);
  char *a[] = {"sh", "-c", script};
  const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\"}";
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_CREATE_RUNTIME, sh_hook(a), state, &rc);
  (void)msg; /* freed by the cleanup; only the status matters here */
  CHECK(rc == 0);
  _cleanup_free_ char *got = slurp(out);
  CHECK_STREQ(got, state);
}

static char *big_state(size_t n)
{
  char *s = xmalloc(n + 1);
  memset(s, 'x', n);
  s[0] = '"';
  s[n - 1] = '"';
  s[n] = '\0';
  return s;
}

static void test_big_state_on_stdin(void)
{
  /* Larger than a pipe buffer: written without blocking the poll loop. */
  _cleanup_free_ char *out = path_in_tmp("big.json");
  _cleanup_free_ char *script = xasprintf("cat > %s", out);
  char *a[] = {"sh", "-c", script};
  _cleanup_free_ char *state = big_state(300000);
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), state, &rc);
  (void)msg; /* freed by the cleanup; only the status matters here */
  CHECK(rc == 0);
  _cleanup_free_ char *got = slurp(out);
  CHECK(got && strlen(got) == 300000 && strcmp(got, state) == 0);
}

static void test_stdin_not_read(void)
{
  /* EPIPE on the state pipe is not a failure, and SIGPIPE does not kill us. */
  char *a[] = {"sh", "-c", "exec 0<&-; exit 0"};
  _cleanup_free_ char *state = big_state(300000);
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_POSTSTOP, sh_hook(a), state, &rc);
  CHECK(rc == 0);
  CHECK(msg == NULL);
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  CHECK(!sigismember(&cur, SIGPIPE)); /* the mask is restored */
  sigset_t pend;
  sigpending(&pend);
  CHECK(!sigismember(&pend, SIGPIPE));
}

static void test_args_and_env(void)
{
  _cleanup_free_ char *out = path_in_tmp("argv");
  _cleanup_free_ char *env = path_in_tmp("env");
  _cleanup_free_ char *script = xasprintf(
      "tr '\\0' '|' < /proc/$$/cmdline > %s; tr '\\0' '|' < /proc/$$/environ > %s", out, env);
  char *a[] = {"my-hook", "-c", script, "zero", "a b"};
  char *e[] = {"FOO=bar", "HUTCH_X=1 2"};
  struct spec_hook h = {.path = "/bin/sh", .args = a, .n_args = 5, .env = e, .n_env = 2};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, h, "{}", &rc);
  (void)msg; /* freed by the cleanup; only the status matters here */
  CHECK(rc == 0);
  _cleanup_free_ char *got_argv = slurp(out);
  _cleanup_free_ char *want_argv = xasprintf("my-hook|-c|%s|zero|a b|", script);
  CHECK_STREQ(got_argv, want_argv);
  _cleanup_free_ char *got_env = slurp(env);
  CHECK_STREQ(got_env, "FOO=bar|HUTCH_X=1 2|");
}

static void test_no_args_no_env(void)
{
  /* argv = [path], empty environment. */
  _cleanup_free_ char *script = path_in_tmp("hook.sh");
  _cleanup_free_ char *out = path_in_tmp("noargs");
  _cleanup_free_ char *body =
      xasprintf("#!/bin/sh\necho \"$#|$0|$(tr '\\0' '|' < /proc/$$/environ)\" > %s\n", out);
  _cleanup_herr_ herr_t err = NULL;
  CHECK(write_file_at(AT_FDCWD, script, body, strlen(body), 1, &err) == 0);
  chmod(script, 0755);
  struct spec_hook h = {.path = script};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, h, "{}", &rc);
  (void)msg; /* freed by the cleanup; only the status matters here */
  CHECK(rc == 0);
  _cleanup_free_ char *got = slurp(out);
  _cleanup_free_ char *want = xasprintf("0|%s|\n", script);
  CHECK_STREQ(got, want);
}

static void test_fds_not_inherited(void)
{
  /* A non-CLOEXEC fd in the runtime must not reach the hook. */
  int fd = open("/dev/null", O_RDONLY);
  CHECK(fd >= 0);
  CHECK(dup2(fd, 57) == 57);
  close(fd);
  char *a[] = {"sh", "-c", "test ! -e /proc/$$/fd/57 || exit 9; test -e /proc/$$/fd/2"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), "{}", &rc);
  CHECK_MSG(rc == 0, msg);
  close(57);
}

static void test_stdio_closed_in_runtime(void)
{
  /* With the runtime's fd 0 closed, the pipes must still land on 0, 1, 2. */
  int saved = fcntl(0, F_DUPFD_CLOEXEC, 10);
  close(0);
  _cleanup_free_ char *out = path_in_tmp("stdio-state");
  _cleanup_free_ char *script = xasprintf("cat > %s; echo oops >&2; exit 5", out);
  char *a[] = {"sh", "-c", script};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), "{\"a\":1}", &rc);
  if (saved >= 0) {
    dup2(saved, 0);
    close(saved);
  }
  CHECK(rc < 0);
  CHECK_STREQ(msg, "prestart hook #0 (/bin/sh): exited with status 5: oops");
  _cleanup_free_ char *got = slurp(out);
  CHECK_STREQ(got, "{\"a\":1}");
}

static void test_daemon_holding_pipes(void)
{
  /* The hook leaves a child holding its stdout/stderr: we return at its exit. */
  _cleanup_free_ char *pidfile = path_in_tmp("daemon.pid");
  _cleanup_free_ char *script = xasprintf("sleep 100 & echo $! > %s; exit 0", pidfile);
  char *a[] = {"sh", "-c", script};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_POSTSTART, sh_hook(a), "{}", &rc);
  (void)msg; /* freed by the cleanup; only the status matters here */
  CHECK(rc == 0);
  _cleanup_free_ char *pid = slurp(pidfile);
  CHECK(pid != NULL);
  if (pid && atoi(pid) > 1)
    kill((pid_t)atoi(pid), SIGKILL);
}

static void test_order_and_index(void)
{
  _cleanup_free_ char *out = path_in_tmp("order");
  _cleanup_free_ char *s1 = xasprintf("echo one >> %s", out);
  _cleanup_free_ char *s2 = xasprintf("echo two >> %s; echo second failed >&2; exit 1", out);
  _cleanup_free_ char *s3 = xasprintf("echo three >> %s", out);
  char *a1[] = {"sh", "-c", s1}, *a2[] = {"sh", "-c", s2}, *a3[] = {"sh", "-c", s3};
  struct spec_hook hooks[3] = {sh_hook(a1), sh_hook(a2), sh_hook(a3)};
  struct spec s = spec_with(SPEC_HOOK_START_CONTAINER, hooks, 3);
  _cleanup_herr_ herr_t err = NULL;
  CHECK(hooks_run(&s, SPEC_HOOK_START_CONTAINER, "{}", &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "startContainer hook #1 (/bin/sh): exited with status 1: second failed");
  _cleanup_free_ char *got = slurp(out);
  CHECK_STREQ(got, "one\ntwo\n");
  /* Other kinds are untouched. */
  _cleanup_herr_ herr_t err2 = NULL;
  CHECK(hooks_run(&s, SPEC_HOOK_PRESTART, "{}", &err2) == 0);
}

static void test_sigchld_ignored(void)
{
  /* Even when the runtime ignores SIGCHLD (auto-reaping), the exit status
   * of a hook is reported. */
  struct sigaction sa = {.sa_handler = SIG_IGN}, old;
  sigaction(SIGCHLD, &sa, &old);
  char *a[] = {"sh", "-c", "exit 4"};
  int rc;
  _cleanup_free_ char *msg = run1(SPEC_HOOK_PRESTART, sh_hook(a), "{}", &rc);
  CHECK(rc < 0);
  CHECK_STREQ(msg, "prestart hook #0 (/bin/sh): exited with status 4");
  struct sigaction now;
  sigaction(SIGCHLD, NULL, &now);
  CHECK(now.sa_handler == SIG_IGN); /* the runtime's disposition is restored */
  sigaction(SIGCHLD, &old, NULL);
}

int main(void)
{
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_no_hooks();
  test_success();
  test_exit_status();
  test_exit_status_silent();
  test_stdout_fallback();
  test_long_line_truncated();
  test_killed();
  test_timeout();
  test_missing_binary();
  test_not_executable();
  test_state_on_stdin();
  test_big_state_on_stdin();
  test_stdin_not_read();
  test_args_and_env();
  test_no_args_no_env();
  test_fds_not_inherited();
  test_stdio_closed_in_runtime();
  test_daemon_holding_pipes();
  test_order_and_index();
  test_sigchld_ignored();
  _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
  return check_done();
}
