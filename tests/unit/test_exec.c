/* exec: the process built from the container's config, --process and the
 * flags; user parsing and lookup; the terminal relay with a real pty. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/exec.h"
#include "libcontainer/process/tty_relay.h"
#include "libcontainer/utils/fileio.h"

static const char *config_json =
    "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
    " \"process\": {\"args\": [\"sleep\", \"1000\"], \"cwd\": \"/\","
    "  \"env\": [\"PATH=/bin\", \"KEEP=1\", \"REPLACE=old\"],"
    "  \"user\": {\"uid\": 5, \"gid\": 6},"
    "  \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"],"
    "   \"permitted\": [\"CAP_KILL\"]},"
    "  \"noNewPrivileges\": false, \"terminal\": true}}";

static char tmpdir[] = "/tmp/hutch-test-exec.XXXXXX";

static char *write_tmp(const char *name, const char *text)
{
  char *path = xasprintf("%s/%s", tmpdir, name);
  herr_t err = NULL;
  if (write_file_at(AT_FDCWD, path, text, strlen(text), 1, &err) < 0)
    herr_free(&err);
  return path;
}

static struct container *fake_container(void)
{
  struct container *c = xcalloc(1, sizeof(*c));
  c->lock_fd = -1;
  c->root_fd = c->dir_fd = -1;
  c->start_fd = -1; /* container_free closes it when >= 0 */
  c->id = xstrdup("c1");
  herr_t err = NULL;
  if (spec_parse(config_json, strlen(config_json), "config.json", &c->spec, &err) < 0) {
    fprintf(stderr, "%s\n", err->msg);
    herr_free(&err);
  }
  return c;
}

static bool has(char **v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return true;
  return false;
}

static void test_parse_user(void)
{
  uid_t uid = 99;
  gid_t gid = 99;
  bool has_gid;
  char *un, *gn;
  herr_t err = NULL;
  CHECK(exec_parse_user("1000", &uid, &un, &gid, &has_gid, &gn, &err) == 0);
  CHECK(uid == 1000 && !has_gid && !un && !gn && gid == 99);
  CHECK(exec_parse_user("1000:2000", &uid, &un, &gid, &has_gid, &gn, &err) == 0);
  CHECK(uid == 1000 && has_gid && gid == 2000);
  CHECK(exec_parse_user("alice:staff", &uid, &un, &gid, &has_gid, &gn, &err) == 0);
  CHECK_STREQ(un, "alice");
  CHECK_STREQ(gn, "staff");
  free(un);
  free(gn);
  CHECK(exec_parse_user(":5", &uid, &un, &gid, &has_gid, &gn, &err) < 0);
  CHECK_CONTAINS(err->msg, "--user \":5\"");
  herr_free(&err);
  CHECK(exec_parse_user("5:", &uid, &un, &gid, &has_gid, &gn, &err) < 0);
  herr_free(&err);
  /* 4294967295 is (uid_t)-1, "no change" to setresuid (root stays root):
   * every id above 2147483647 is refused, as runc does. */
  uid = gid = 99;
  CHECK(exec_parse_user("4294967295", &uid, &un, &gid, &has_gid, &gn, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, "--user uid: 4294967295 is out of range (0-2147483647)");
  herr_free(&err);
  CHECK(exec_parse_user("1000:4294967295", &uid, &un, &gid, &has_gid, &gn, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, "--user gid: 4294967295 is out of range (0-2147483647)");
  herr_free(&err);
  CHECK(exec_parse_user("99999999999", &uid, &un, &gid, &has_gid, &gn, &err) < 0);
  herr_free(&err);
  CHECK(exec_parse_user("2147483648", &uid, &un, &gid, &has_gid, &gn, &err) < 0);
  herr_free(&err);
  CHECK(exec_parse_user("2147483647:0", &uid, &un, &gid, &has_gid, &gn, &err) == 0);
  CHECK(uid == 2147483647u && gid == 0 && !un && !gn);
}

static void test_lookup(void)
{
  _cleanup_free_ char *pw = write_tmp("passwd", "root:x:0:0:root:/root:/bin/sh\n"
                                                "# comment\n"
                                                "broken:x:notanumber:1::/:/bin/sh\n"
                                                "alice:x:4242:4343:Alice:/home/alice:/bin/sh\n"
                                                "nobody2:x:4294967295:0::/:/bin/sh\n");
  _cleanup_free_ char *gr = write_tmp("group", "root:x:0:\nstaff:x:50:alice\n");
  uid_t uid = 0;
  gid_t gid = 0;
  herr_t err = NULL;
  CHECK(exec_lookup_user(pw, "alice", &uid, &gid, &err) == 0);
  CHECK(uid == 4242 && gid == 4343);
  CHECK(exec_lookup_user(pw, "bob", &uid, &gid, &err) < 0);
  CHECK_STREQ(err->msg, "no such user bob in the container's /etc/passwd");
  herr_free(&err);
  CHECK(exec_lookup_user(pw, "broken", &uid, &gid, &err) < 0);
  herr_free(&err);
  /* The container's /etc/passwd cannot turn a name into (uid_t)-1 either. */
  CHECK(exec_lookup_user(pw, "nobody2", &uid, &gid, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : "", "out of range (0-2147483647)");
  herr_free(&err);
  CHECK(exec_lookup_group(gr, "staff", &gid, &err) == 0);
  CHECK(gid == 50);
  CHECK(exec_lookup_group(gr, "wheel", &gid, &err) < 0);
  CHECK_STREQ(err->msg, "no such group wheel in the container's /etc/group");
  herr_free(&err);
  _cleanup_free_ char *missing = xasprintf("%s/nope", tmpdir);
  CHECK(exec_lookup_user(missing, "alice", &uid, &gid, &err) < 0);
  CHECK_CONTAINS(err->msg, "read the container's /etc/passwd");
  herr_free(&err);
}

static void test_env_set(void)
{
  char **env = NULL;
  size_t n = 0;
  exec_env_set(&env, &n, "A=1");
  exec_env_set(&env, &n, "B=2");
  exec_env_set(&env, &n, "A=3");
  exec_env_set(&env, &n, "AB=4");
  CHECK(n == 3);
  CHECK_STREQ(env[0], "A=3");
  CHECK_STREQ(env[1], "B=2");
  CHECK_STREQ(env[2], "AB=4");
  CHECK(env[3] == NULL);
  for (size_t i = 0; i < n; i++)
    free(env[i]);
  free(env);
}

static void test_build_from_flags(void)
{
  struct container *c = fake_container();
  char *args[] = {"sh", "-c", "echo"};
  char *env[] = {"REPLACE=new", "NEW=1"};
  char *gids[] = {"10", "20"};
  char *caps[] = {"CAP_SYS_ADMIN", "net_raw", "CAP_KILL"};
  struct exec_opts o = {.args = args,
                        .n_args = 3,
                        .env = env,
                        .n_env = 2,
                        .cwd = "/tmp",
                        .user = "7:8",
                        .gids = gids,
                        .n_gids = 2,
                        .caps = caps,
                        .n_caps = 3,
                        .no_new_privs = true,
                        .apparmor = "prof"};
  struct exec_process x;
  herr_t err = NULL;
  CHECK(exec_process_build(c->spec, c->id, &o, &x, &err) == 0);
  struct spec_process *p = x.p;
  CHECK(p->n_args == 3 && p->args[3] == NULL);
  CHECK_STREQ(p->args[0], "sh");
  /* exec has no terminal unless -t, even when the container's process has one. */
  CHECK(!p->terminal);
  CHECK(p->n_env == 4);
  CHECK(has(p->env, p->n_env, "KEEP=1") && has(p->env, p->n_env, "REPLACE=new") &&
        has(p->env, p->n_env, "NEW=1") && !has(p->env, p->n_env, "REPLACE=old"));
  CHECK_STREQ(p->cwd, "/tmp");
  CHECK(p->user.uid == 7 && p->user.gid == 8);
  CHECK(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 20);
  struct spec_capabilities *cs = &p->capabilities;
  CHECK(cs->n_bounding == 3 && has(cs->bounding, cs->n_bounding, "CAP_NET_RAW"));
  CHECK(has(cs->effective, cs->n_effective, "CAP_SYS_ADMIN"));
  CHECK(has(cs->permitted, cs->n_permitted, "CAP_SYS_ADMIN"));
  /* No inheritable set in the config: no ambient. */
  CHECK(!cs->has_ambient);
  CHECK(p->no_new_privileges);
  CHECK_STREQ(p->apparmor_profile, "prof");
  exec_process_clear(&x);
  container_free(c);
}

static void test_build_user_name_and_errors(void)
{
  struct container *c = fake_container();
  char *args[] = {"id"};
  struct exec_opts o = {.args = args, .n_args = 1, .user = "alice", .tty = true};
  struct exec_process x;
  herr_t err = NULL;
  CHECK(exec_process_build(c->spec, c->id, &o, &x, &err) == 0);
  CHECK_STREQ(x.user_name, "alice");
  CHECK(x.group_name == NULL);
  CHECK(x.p->user.uid == 5 && x.p->user.gid == 6); /* resolved in the container later */
  CHECK(x.p->terminal);
  exec_process_clear(&x);
  container_free(c);

  struct {
    struct exec_opts o;
    const char *msg;
  } bad[] = {
      {{.args = args, .n_args = 1, .cwd = "tmp"}, "--cwd \"tmp\": must be an absolute path"},
      {{.args = args, .n_args = 1, .env = (char *[]){"=x"}, .n_env = 1}, "--env \"=x\""},
      {{.args = args, .n_args = 1, .gids = (char *[]){"ten"}, .n_gids = 1},
       "--additional-gids \"ten\""},
      {{.args = args, .n_args = 1, .caps = (char *[]){"CAP_BOGUS"}, .n_caps = 1},
       "--cap: unknown capability \"CAP_BOGUS\""},
      {{.n_args = 0}, "no command given"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    c = fake_container();
    CHECK(exec_process_build(c->spec, c->id, &bad[i].o, &x, &err) < 0);
    CHECK_CONTAINS(err ? err->msg : NULL, bad[i].msg);
    herr_free(&err);
    CHECK(x.p == NULL);
    container_free(c);
  }
}

static void test_build_from_process_file(void)
{
  struct container *c = fake_container();
  _cleanup_free_ char *good = write_tmp(
      "process.json", "{\"args\": [\"ls\"], \"cwd\": \"/srv\", \"env\": [\"X=1\"], "
                      "\"terminal\": true, \"consoleSize\": {\"height\": 30, \"width\": 90}}");
  char *env[] = {"Y=2"};
  struct exec_opts o = {.process_file = good, .env = env, .n_env = 1};
  struct exec_process x;
  herr_t err = NULL;
  CHECK(exec_process_build(c->spec, c->id, &o, &x, &err) == 0);
  CHECK_STREQ(x.p->args[0], "ls");
  CHECK_STREQ(x.p->cwd, "/srv");
  CHECK(x.p->terminal && x.p->has_console_size && x.p->console_height == 30);
  CHECK(x.p->n_env == 2 && has(x.p->env, x.p->n_env, "Y=2"));
  /* The container's process is untouched with --process. */
  CHECK(c->spec->has_process && strcmp(c->spec->process.args[0], "sleep") == 0);
  exec_process_clear(&x);

  _cleanup_free_ char *bad = write_tmp("bad.json", "{\"args\": [\"ls\"], \"cwd\": 5}");
  o.process_file = bad;
  CHECK(exec_process_build(c->spec, c->id, &o, &x, &err) < 0);
  CHECK_CONTAINS(err->msg, "bad.json");
  CHECK_CONTAINS(err->msg, "cwd");
  herr_free(&err);
  _cleanup_free_ char *missing = xasprintf("%s/missing.json", tmpdir);
  o.process_file = missing;
  CHECK(exec_process_build(c->spec, c->id, &o, &x, &err) < 0);
  CHECK_CONTAINS(err->msg, "missing.json");
  herr_free(&err);
  container_free(c);
}

/* The relay with a real pty: the child prints, reads a line (from the relay's
 * stdin, a pipe ending in EOF), echoes it and exits 3. */
static void test_relay(void)
{
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  CHECK(master >= 0);
  if (master < 0)
    return;
  grantpt(master);
  unlockpt(master);
  char *slave_name = ptsname(master);
  int in_pipe[2], out_pipe[2];
  CHECK(pipe(in_pipe) == 0 && pipe(out_pipe) == 0);
  CHECK(write(in_pipe[1], "input line\n", 11) == 11);
  close(in_pipe[1]);

  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    setsid();
    int s = open(slave_name, O_RDWR);
    ioctl(s, TIOCSCTTY, 0);
    struct termios t;
    tcgetattr(s, &t);
    t.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(s, TCSANOW, &t);
    dup2(s, 0);
    dup2(s, 1);
    char line[64] = "";
    if (write(1, "hello\n", 6) != 6)
      _exit(9);
    ssize_t n = read(0, line, sizeof(line) - 1);
    char out[128];
    int len = snprintf(out, sizeof(out), "got [%.*s]\n", n > 0 ? (int)n - 1 : 0, line);
    if (write(1, out, (size_t)len) != len)
      _exit(9);
    /* The EOF (VEOF) that follows: read returns 0. */
    n = read(0, line, sizeof(line));
    _exit(n == 0 ? 3 : 8);
  }
  int saved0 = dup(0), saved1 = dup(1);
  dup2(in_pipe[0], 0);
  dup2(out_pipe[1], 1);
  close(in_pipe[0]);
  close(out_pipe[1]);
  int status = -1;
  herr_t err = NULL;
  int r = tty_relay_run(master, pid, &status, &err);
  dup2(saved0, 0);
  dup2(saved1, 1);
  close(saved0);
  close(saved1);
  sigprocmask(SIG_SETMASK, &old, NULL);
  CHECK(r == 0);
  CHECK(status == 3);
  char *text = NULL;
  CHECK(read_all_fd(out_pipe[0], &text) >= 0);
  CHECK_CONTAINS(text, "hello\r\n");
  CHECK_CONTAINS(text, "got [input line]");
  free(text);
  close(out_pipe[0]);
  close(master);
}

int main(void)
{
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_parse_user();
  test_lookup();
  test_env_set();
  test_build_from_flags();
  test_build_user_name_and_errors();
  test_build_from_process_file();
  test_relay();
  _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
  return check_done();
}
