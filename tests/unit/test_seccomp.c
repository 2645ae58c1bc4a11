/* linux.seccomp: validation errors, every action, the operators, errnoRet,
 * flags, unknown syscalls, SCMP_ACT_NOTIFY and the listener protocol.  Each
 * filter is loaded in a forked child that reports through a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

static char *n_getpgid[] = {"getpgid"};
static char *n_unknown_getpgid[] = {"no_such_syscall_hutch", "getpgid"};
static char *n_personality[] = {"personality"};
static char *n_write[] = {"write"};
static char *archs[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};

static struct spec_seccomp profile(const char *def, const char *act, char **names, size_t n,
                                   struct spec_seccomp_arg *args, size_t nargs)
{
  static struct spec_seccomp_syscall sys;
  struct spec_seccomp sc;
  memset(&sc, 0, sizeof(sc));
  memset(&sys, 0, sizeof(sys));
  sc.default_action = (char *)def;
  sys.names = names;
  sys.n_names = n;
  sys.action = (char *)act;
  sys.args = args;
  sys.n_args = nargs;
  sc.syscalls = &sys;
  sc.n_syscalls = act ? 1 : 0;
  return sc;
}

static void expect_invalid(struct spec_seccomp *sc, const char *msg)
{
  _cleanup_herr_ herr_t err = NULL;
  CHECK(seccomp_validate(sc, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, msg);
  struct seccomp_bpf *bpf = NULL;
  herr_free(&err);
  CHECK(seccomp_compile(sc, &bpf, &err) < 0 && bpf == NULL);
}

static void test_validate(void)
{
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_FOO", n_getpgid, 1, NULL, 0);
  expect_invalid(&sc, "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_FOO\"");
  sc = profile("SCMP_ACT_NOPE", NULL, NULL, 0, NULL, 0);
  expect_invalid(&sc, "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");
  sc = profile("SCMP_ACT_NOTIFY", NULL, NULL, 0, NULL, 0);
  expect_invalid(&sc, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  sc = profile("SCMP_ACT_ALLOW", NULL, NULL, 0, NULL, 0);
  char *bad_arch[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"};
  sc.architectures = bad_arch;
  sc.n_architectures = 2;
  {
    _cleanup_herr_ herr_t err = NULL;
    CHECK(seccomp_validate(&sc, &err) < 0);
    CHECK_CONTAINS(err ? err->msg : NULL, "linux.seccomp.architectures[1]: unknown or unsupported "
                                          "architecture \"SCMP_ARCH_Z80\" (libseccomp ");
  }
  sc = profile("SCMP_ACT_ALLOW", NULL, NULL, 0, NULL, 0);
  char *bad_flag[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"};
  sc.flags = bad_flag;
  sc.n_flags = 2;
  expect_invalid(&sc, "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\"");
  struct spec_seccomp_arg arg = {.index = 0, .value = 1, .op = "SCMP_CMP_ALMOST"};
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, &arg, 1);
  expect_invalid(&sc, "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ALMOST\"");
  struct spec_seccomp_arg arg6 = {.index = 6, .value = 1, .op = "SCMP_CMP_EQ"};
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, &arg6, 1);
  expect_invalid(&sc, "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0-5)");
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_KILL", n_getpgid, 1, NULL, 0);
  sc.syscalls[0].has_errno_ret = true;
  sc.syscalls[0].errno_ret = 1;
  expect_invalid(&sc, "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL does not take an errno "
                      "(only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)");
  sc = profile("SCMP_ACT_ALLOW", NULL, NULL, 0, NULL, 0);
  sc.has_default_errno_ret = true;
  expect_invalid(&sc, "linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW does not take an errno "
                      "(only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)");
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_NOTIFY", n_getpgid, 1, NULL, 0);
  expect_invalid(&sc, "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_NOTIFY", n_write, 1, NULL, 0);
  sc.listener_path = "/run/x.sock";
  expect_invalid(&sc, "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for write (the "
                      "runtime needs it to hand over the notify fd)");
  sc = profile("SCMP_ACT_ALLOW", NULL, NULL, 0, NULL, 0);
  sc.listener_metadata = "x";
  expect_invalid(&sc, "linux.seccomp.listenerMetadata: set without listenerPath");

  /* listenerPath alone, without a notify rule, is ignored. */
  _cleanup_herr_ herr_t err = NULL;
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, NULL, 0);
  sc.listener_path = "/nonexistent.sock";
  CHECK(seccomp_validate(&sc, &err) == 0);
  CHECK(!seccomp_uses_notify(&sc));
}

/* ---- children ---------------------------------------------------------- */

struct child {
  struct spec_seccomp *sc;
  bool nnp;
  bool drop_sys_admin;
  long (*probe)(long a); /* the syscall to try after loading */
  long arg;
};

static long probe_getpgid(long a)
{
  return syscall(SYS_getpgid, a);
}
static long probe_getrandom(long a)
{
  char b[4];
  return syscall(SYS_getrandom, b, sizeof(b), 0);
}
static long probe_x32(long a)
{
  return syscall(0x40000000 | SYS_getpid);
}
static long probe_personality(long a)
{
  return syscall(SYS_personality, a);
}

/* Load the filter, run probe(arg), print "ret errno". */
static char *run(struct child *c, int *status)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    herr_t err = NULL;
    int nfd;
    char buf[512];
    if (c->drop_sys_admin) {
      cap_t caps = cap_get_proc();
      cap_value_t v = CAP_SYS_ADMIN;
      cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR);
      cap_set_proc(caps);
    }
    if (c->nnp && security_set_no_new_privs(&err) < 0)
      _exit(2);
    if (seccomp_install(c->sc, &nfd, &err) < 0) {
      int n = snprintf(buf, sizeof(buf), "ERR %s", err->msg);
      write(p[1], buf, (size_t)n);
      _exit(1);
    }
    long r = c->probe(c->arg);
    int n = snprintf(buf, sizeof(buf), "%ld %d", r, r < 0 ? errno : 0);
    write(p[1], buf, (size_t)n);
    _exit(0);
  }
  close(p[1]);
  char *out = NULL;
  read_all_fd(p[0], &out);
  close(p[0]);
  int st;
  waitpid(pid, &st, 0);
  if (status)
    *status = st;
  return out;
}

/* Expect probe(arg) to fail with errno e (or succeed/ESRCH when e == 0). */
static void expect_errno(struct spec_seccomp *sc, long (*probe)(long), long arg, int e,
                         const char *what)
{
  struct child c = {.sc = sc, .nnp = true, .probe = probe, .arg = arg};
  _cleanup_free_ char *out = run(&c, NULL);
  char want[64];
  snprintf(want, sizeof(want), " %d", e);
  int ok = out && strstr(out, "ERR") == NULL;
  if (ok && e) {
    ok = strncmp(out, "-1 ", 3) == 0 && atoi(out + 3) == e;
  } else if (ok) {
    ok = !(strncmp(out, "-1 ", 3) == 0 && atoi(out + 3) != ESRCH);
  }
  char detail[256];
  snprintf(detail, sizeof(detail), "%s: got \"%s\", want errno %d", what, out ? out : "(null)", e);
  CHECK_MSG(ok, detail);
}

static void test_errno_actions(void)
{
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, NULL, 0);
  expect_errno(&sc, probe_getpgid, 0, EPERM, "ERRNO without errnoRet is EPERM");
  sc.syscalls[0].has_errno_ret = true;
  sc.syscalls[0].errno_ret = ENOSPC;
  expect_errno(&sc, probe_getpgid, 0, ENOSPC, "errnoRet ENOSPC");

  /* Unknown syscall names are skipped, the rest still applies. */
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_unknown_getpgid, 2, NULL, 0);
  sc.syscalls[0].has_errno_ret = true;
  sc.syscalls[0].errno_ret = EXDEV;
  expect_errno(&sc, probe_getpgid, 0, EXDEV, "unknown name skipped");

  /* A rule equal to the default action is skipped (libseccomp refuses it). */
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ALLOW", n_getpgid, 1, NULL, 0);
  expect_errno(&sc, probe_getpgid, 0, 0, "rule equal to default");

  /* LOG allows. */
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_LOG", n_getpgid, 1, NULL, 0);
  expect_errno(&sc, probe_getpgid, 0, 0, "SCMP_ACT_LOG allows");
}

/* sigaltstack: an ASan build calls it before every noreturn call (the
 * child's _exit) and aborts, unable to die, when it fails. */
static char *allow_basics[] = {"write", "exit_group", "exit",  "rt_sigreturn", "brk",
                               "mmap",  "munmap",     "futex", "close",        "sigaltstack"};

static void test_default_errno(void)
{
  /* Default deny with defaultErrnoRet, a few syscalls allowed. */
  struct spec_seccomp sc = profile("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", allow_basics, 10, NULL, 0);
  sc.has_default_errno_ret = true;
  sc.default_errno_ret = ENOTSUP;
  sc.architectures = archs;
  sc.n_architectures = 3;
  expect_errno(&sc, probe_getpgid, 0, ENOTSUP, "defaultErrnoRet");
  /* A syscall above every one the profile names (exit_group, 231): ENOSYS,
   * so that a libc falls back instead of failing (as runc). */
  expect_errno(&sc, probe_getrandom, 0, ENOSYS, "newer than the profile: ENOSYS");
  /* x32 syscall numbers (bit 30) are left to the filter: its x32 section
   * gives the default action, not ENOSYS. */
  expect_errno(&sc, probe_x32, 0, ENOTSUP, "x32 getpid: default action");
  /* Without SCMP_ARCH_X32 the filter kills on a bad architecture. */
  sc.n_architectures = 2;
  struct child c = {.sc = &sc, .nnp = true, .probe = probe_x32};
  int st = 0;
  _cleanup_free_ char *out = run(&c, &st);
  CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, out);
}

static void test_operators(void)
{
  static const struct {
    const char *op;
    uint64_t value, two;
    long arg;
    int blocked;
  } cases[] = {
      {"SCMP_CMP_EQ", 5, 0, 5, 1},
      {"SCMP_CMP_EQ", 5, 0, 6, 0},
      {"SCMP_CMP_NE", 5, 0, 6, 1},
      {"SCMP_CMP_NE", 5, 0, 5, 0},
      {"SCMP_CMP_LT", 5, 0, 4, 1},
      {"SCMP_CMP_LT", 5, 0, 5, 0},
      {"SCMP_CMP_LE", 5, 0, 5, 1},
      {"SCMP_CMP_LE", 5, 0, 6, 0},
      {"SCMP_CMP_GT", 5, 0, 6, 1},
      {"SCMP_CMP_GT", 5, 0, 5, 0},
      {"SCMP_CMP_GE", 5, 0, 5, 1},
      {"SCMP_CMP_GE", 5, 0, 4, 0},
      {"SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x3a, 1},
      {"SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x4a, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct spec_seccomp_arg arg = {.index = 0,
                                   .value = cases[i].value,
                                   .has_value_two = cases[i].two != 0,
                                   .value_two = cases[i].two,
                                   .op = (char *)cases[i].op};
    struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, &arg, 1);
    sc.syscalls[0].has_errno_ret = true;
    sc.syscalls[0].errno_ret = EXDEV;
    char what[96];
    snprintf(what, sizeof(what), "%s %#lx vs %ld", cases[i].op, (unsigned long)cases[i].value,
             cases[i].arg);
    expect_errno(&sc, probe_getpgid, cases[i].arg, cases[i].blocked ? EXDEV : 0, what);
  }

  /* Two conditions on the same argument: OR (one rule each), as runc. */
  struct spec_seccomp_arg two[] = {{.index = 0, .value = 5, .op = "SCMP_CMP_EQ"},
                                   {.index = 0, .value = 7, .op = "SCMP_CMP_EQ"}};
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, two, 2);
  expect_errno(&sc, probe_getpgid, 5, EPERM, "same index, first");
  expect_errno(&sc, probe_getpgid, 7, EPERM, "same index, second");
  expect_errno(&sc, probe_getpgid, 6, 0, "same index, neither");

  /* personality(0xffffffff) only. */
  struct spec_seccomp_arg pers = {.index = 0, .value = 0xffffffff, .op = "SCMP_CMP_EQ"};
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_personality, 1, &pers, 1);
  expect_errno(&sc, probe_personality, 0xffffffffL, EPERM, "personality(0xffffffff)");
  expect_errno(&sc, probe_personality, 0, 0, "personality(0)");
}

static void test_kill_actions(void)
{
  const char *acts[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
                        "SCMP_ACT_TRAP"};
  for (size_t i = 0; i < 4; i++) {
    struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", acts[i], n_getpgid, 1, NULL, 0);
    struct child c = {.sc = &sc, .nnp = true, .probe = probe_getpgid};
    int st = 0;
    _cleanup_free_ char *out = run(&c, &st);
    CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, acts[i]);
    CHECK_MSG(out && out[0] == 0, acts[i]);
  }
  /* TRACE without a tracer: the syscall fails with ENOSYS. */
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_TRACE", n_getpgid, 1, NULL, 0);
  expect_errno(&sc, probe_getpgid, 0, ENOSYS, "SCMP_ACT_TRACE, no tracer");
}

static void test_flags_and_privs(void)
{
  char *flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                   "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, NULL, 0);
  sc.flags = flags;
  sc.n_flags = 3;
  expect_errno(&sc, probe_getpgid, 0, EPERM, "TSYNC|LOG|SPEC_ALLOW");

  /* Without no_new_privs a filter needs CAP_SYS_ADMIN: a clear error. */
  sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, NULL, 0);
  struct child c = {.sc = &sc, .nnp = false, .drop_sys_admin = true, .probe = probe_getpgid};
  _cleanup_free_ char *out = run(&c, NULL);
  CHECK_CONTAINS(out, "ERR linux.seccomp: load the filter (without noNewPrivileges this needs "
                      "CAP_SYS_ADMIN)");
  /* With CAP_SYS_ADMIN it loads without no_new_privs, and leaves it unset. */
  struct child c2 = {.sc = &sc, .nnp = false, .probe = probe_getpgid};
  _cleanup_free_ char *out2 = run(&c2, NULL);
  CHECK_STREQ(out2, "-1 1");
}

/* ---- notify ------------------------------------------------------------ */

static int recv_fd(int sock, char *buf, size_t len, int *fd)
{
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
  ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0)
    return -1;
  buf[n] = 0;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  *fd = -1;
  if (c && c->cmsg_type == SCM_RIGHTS)
    memcpy(fd, CMSG_DATA(c), sizeof(int));
  return (int)n;
}

static void test_notify(void)
{
  char dir[] = "/tmp/hutch-test-seccomp-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  _cleanup_free_ char *path = xasprintf("%s/listener.sock", dir);
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  CHECK(bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(ls, 1) == 0);

  char *flags[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"};
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_NOTIFY", n_getpgid, 1, NULL, 0);
  sc.listener_path = path;
  sc.listener_metadata = "hello-agent";
  sc.flags = flags;
  sc.n_flags = 2;
  CHECK(seccomp_uses_notify(&sc));

  /* The child loads the filter, hands the fd to us (like the init to the
   * runtime), then calls getpgid(4242), which the agent answers. */
  int sp[2];
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
  int res[2];
  pipe2(res, O_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    herr_t err = NULL;
    int nfd = -1;
    security_set_no_new_privs(&err);
    if (seccomp_install(&sc, &nfd, &err) < 0 || nfd < 0)
      _exit(3);
    char cbuf[CMSG_SPACE(sizeof(int))] = {0};
    char b = 'x';
    struct iovec iov = {.iov_base = &b, .iov_len = 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &nfd, sizeof(int));
    if (sendmsg(sp[1], &msg, 0) < 0)
      _exit(4);
    close(nfd);
    long r = syscall(SYS_getpgid, 4242);
    char out[64];
    int n = snprintf(out, sizeof(out), "%ld %d", r, r < 0 ? errno : 0);
    write(res[1], out, (size_t)n);
    _exit(0);
  }
  close(res[1]);
  close(sp[1]);
  char b[8];
  int nfd = -1;
  CHECK(recv_fd(sp[0], b, sizeof(b), &nfd) == 1 && nfd >= 0);

  /* The runtime side: send it to the listener with the state. */
  _cleanup_herr_ herr_t err = NULL;
  const char *state = "{\"ociVersion\":\"1.3.0\",\"id\":\"hutch-test-c\",\"status\":\"creating\","
                      "\"pid\":4321,\"bundle\":\"/b\"}";
  CHECK(seccomp_send_to_listener(&sc, nfd, state, &err) == 0);
  CHECK_MSG(err == NULL, err ? err->msg : "");
  close(nfd);

  int as = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  char json[4096];
  int agent_fd = -1;
  CHECK(recv_fd(as, json, sizeof(json), &agent_fd) > 0 && agent_fd >= 0);
  json_error_t jerr;
  json_t *doc = json_loads(json, 0, &jerr);
  CHECK_MSG(doc != NULL, json);
  CHECK_STREQ(json_string_value(json_object_get(doc, "ociVersion")), "1.3.0");
  CHECK_STREQ(json_string_value(json_array_get(json_object_get(doc, "fds"), 0)), "seccompFd");
  CHECK(json_integer_value(json_object_get(doc, "pid")) == 4321);
  CHECK_STREQ(json_string_value(json_object_get(doc, "metadata")), "hello-agent");
  CHECK_STREQ(json_string_value(json_object_get(json_object_get(doc, "state"), "id")),
              "hutch-test-c");
  json_decref(doc);
  char extra;
  CHECK(read(as, &extra, 1) == 0); /* one state per connection, then closed */
  close(as);

  /* Answer the notification: getpgid(4242) "returns" 777. */
  struct seccomp_notif req;
  memset(&req, 0, sizeof(req));
  struct pollfd pfd = {.fd = agent_fd, .events = POLLIN};
  CHECK(poll(&pfd, 1, 10000) == 1);
  CHECK(ioctl(agent_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
  CHECK(req.data.nr == SYS_getpgid && req.data.args[0] == 4242);
  struct seccomp_notif_resp resp = {.id = req.id, .val = 777, .error = 0, .flags = 0};
  CHECK(ioctl(agent_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);
  _cleanup_free_ char *out = NULL;
  read_all_fd(res[0], &out);
  CHECK_STREQ(out, "777 0");
  int st;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(agent_fd);
  close(res[0]);
  close(sp[0]);

  /* An unreachable listener is a clear error. */
  close(ls);
  unlink(path);
  int pfds[2];
  pipe2(pfds, O_CLOEXEC);
  herr_free(&err);
  CHECK(seccomp_send_to_listener(&sc, pfds[0], state, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "linux.seccomp.listenerPath: connect to ");
  CHECK_CONTAINS(err ? err->msg : NULL, "No such file or directory");
  close(pfds[0]);
  close(pfds[1]);
  rmdir(dir);
}

static void test_compile_once(void)
{
  /* Compiled in the parent, loaded in a child (as the lifecycle may do). */
  struct spec_seccomp sc = profile("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", n_getpgid, 1, NULL, 0);
  sc.syscalls[0].has_errno_ret = true;
  sc.syscalls[0].errno_ret = EL2HLT;
  struct seccomp_bpf *bpf = NULL;
  _cleanup_herr_ herr_t err = NULL;
  CHECK(seccomp_compile(&sc, &bpf, &err) == 0 && bpf);
  pid_t pid = fork();
  if (pid == 0) {
    int nfd;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (seccomp_bpf_load(bpf, &nfd, &err) < 0)
      _exit(2);
    _exit(syscall(SYS_getpgid, 0) < 0 && errno == EL2HLT ? 0 : 1);
  }
  int st;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  seccomp_bpf_free(bpf);
}

int main(void)
{
  if (getuid() != 0) {
    printf("test_seccomp: needs root, skipped\n");
    return 77;
  }
  test_validate();
  test_errno_actions();
  test_default_errno();
  test_operators();
  test_kill_actions();
  test_flags_and_privs();
  test_notify();
  test_compile_once();
  return check_done();
}
