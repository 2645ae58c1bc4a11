/* process.capabilities: validation and the five sets applied around a user
 * switch, checked in forked children through /proc/self/status. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

/* Run fn in a child whose stdout is a pipe; return what it printed (and
 * its exit status in *status). */
static char *run_child(int (*fn)(void *), void *arg, int *status)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return NULL;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    int r = fn(arg);
    fflush(stdout);
    _exit(r);
  }
  close(p[1]);
  char *out = NULL;
  read_all_fd(p[0], &out);
  close(p[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  if (status)
    *status = st;
  return out;
}

static uint64_t status_mask(const char *text, const char *key)
{
  const char *p = text ? strstr(text, key) : NULL;
  if (!p)
    return UINT64_MAX;
  return strtoull(p + strlen(key) + 1, NULL, 16);
}

#define BIT(c) (UINT64_C(1) << (c))

static char *names_chown_kill[] = {"CAP_CHOWN", "CAP_KILL"};
static char *names_bnd[] = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID",
                            "CAP_SETGID"};
static char *names_net[] = {"CAP_NET_BIND_SERVICE"};
static char *names_bad[] = {"CAP_CHOWN", "CAP_NOPE"};
static char *names_lower[] = {"cap_chown"};

static struct spec_process proc_with(char **bnd, size_t nb, char **eff, size_t ne, char **prm,
                                     size_t np, char **inh, size_t ni, char **amb, size_t na)
{
  struct spec_process p;
  memset(&p, 0, sizeof(p));
  p.has_capabilities = true;
  p.capabilities = (struct spec_capabilities){
      .bounding = bnd,
      .n_bounding = nb,
      .has_bounding = true,
      .effective = eff,
      .n_effective = ne,
      .has_effective = true,
      .permitted = prm,
      .n_permitted = np,
      .has_permitted = true,
      .inheritable = inh,
      .n_inheritable = ni,
      .has_inheritable = true,
      .ambient = amb,
      .n_ambient = na,
      .has_ambient = true,
  };
  return p;
}

static void test_validate(void)
{
  _cleanup_herr_ herr_t err = NULL;
  struct spec_process p = proc_with(names_bad, 2, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
  CHECK(caps_validate(&p.capabilities, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "process.capabilities.bounding: unknown capability \"CAP_NOPE\"");
  herr_free(&err);

  /* Lower case is not a spec name. */
  p = proc_with(NULL, 0, names_lower, 1, names_lower, 1, NULL, 0, NULL, 0);
  CHECK(caps_validate(&p.capabilities, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "unknown capability \"cap_chown\"");
  herr_free(&err);

  /* A capability newer than the running kernel. */
  caps_set_kernel_last(3);
  p = proc_with(names_chown_kill, 2, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
  CHECK(caps_validate(&p.capabilities, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "process.capabilities.bounding: CAP_KILL is not supported by this kernel");
  herr_free(&err);
  caps_set_kernel_last(-1);
  CHECK(caps_kernel_last() >= 36);

  p = proc_with(NULL, 0, names_chown_kill, 2, names_chown_kill, 1, NULL, 0, NULL, 0);
  CHECK(caps_validate(&p.capabilities, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "process.capabilities.effective: CAP_KILL is not in the permitted set");
  herr_free(&err);

  /* Ambient without inheritable: not an error (runc warns and skips it). */
  p = proc_with(NULL, 0, NULL, 0, names_net, 1, NULL, 0, names_net, 1);
  CHECK(caps_validate(&p.capabilities, &err) == 0);

  p = proc_with(names_bnd, 5, names_bnd, 5, names_bnd, 5, names_net, 1, names_net, 1);
  CHECK(caps_validate(&p.capabilities, &err) == 0);

  /* The whole spec: security_validate reports the same. */
  struct spec s;
  memset(&s, 0, sizeof(s));
  s.has_process = true;
  s.process = proc_with(names_bad, 2, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
  CHECK(security_validate(&s, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "process.capabilities.bounding");
}

/* Apply like the init: prepare, switch to uid/gid 1000, finish, exec grep. */
struct apply_arg {
  struct spec_process *p;
  uid_t uid;
};

static int apply_and_exec(void *arg)
{
  struct apply_arg *a = arg;
  herr_t err = NULL;
  if (security_make_undumpable(&err) < 0 || security_prepare(a->p, &err) < 0) {
    printf("ERR %s\n", err->msg);
    return 1;
  }
  if (a->uid != 0 && (setgroups(0, NULL) < 0 || setresgid(a->uid, a->uid, a->uid) < 0 ||
                      setresuid(a->uid, a->uid, a->uid) < 0)) {
    printf("ERR setuid: %s\n", strerror(errno));
    return 1;
  }
  if (security_finish_caps(a->p, &err) < 0) {
    printf("ERR %s\n", err->msg);
    return 1;
  }
  printf("dumpable %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
  fflush(stdout);
  execl("/bin/grep", "grep", "^Cap", "/proc/self/status", (char *)NULL);
  printf("ERR exec: %s\n", strerror(errno));
  return 1;
}

static void test_apply_root(void)
{
  /* Root keeps what it is given; after exec root's permitted = bounding. */
  struct spec_process p =
      proc_with(names_bnd, 5, names_chown_kill, 2, names_chown_kill, 2, names_net, 1, NULL, 0);
  struct apply_arg a = {&p, 0};
  int st;
  _cleanup_free_ char *out = run_child(apply_and_exec, &a, &st);
  CHECK_MSG(out && !strstr(out, "ERR"), out);
  uint64_t bnd = BIT(0) | BIT(5) | BIT(10) | BIT(7) | BIT(6);
  CHECK(status_mask(out, "CapBnd:") == bnd);
  CHECK(status_mask(out, "CapInh:") == BIT(10));
  CHECK(status_mask(out, "CapPrm:") == bnd);
  CHECK(status_mask(out, "CapEff:") == bnd);
  CHECK(status_mask(out, "CapAmb:") == 0);
  CHECK_CONTAINS(out, "dumpable 0");
}

static void test_apply_user_ambient(void)
{
  /* A non-root user keeps only its ambient set across exec. */
  struct spec_process p =
      proc_with(names_bnd, 5, names_net, 1, names_net, 1, names_net, 1, names_net, 1);
  struct apply_arg a = {&p, 1000};
  int st;
  _cleanup_free_ char *out = run_child(apply_and_exec, &a, &st);
  CHECK_MSG(out && !strstr(out, "ERR"), out);
  uint64_t bnd = BIT(0) | BIT(5) | BIT(10) | BIT(7) | BIT(6);
  CHECK(status_mask(out, "CapBnd:") == bnd);
  CHECK(status_mask(out, "CapInh:") == BIT(10));
  CHECK(status_mask(out, "CapPrm:") == BIT(10));
  CHECK(status_mask(out, "CapEff:") == BIT(10));
  CHECK(status_mask(out, "CapAmb:") == BIT(10));
}

static void test_apply_user_no_ambient(void)
{
  struct spec_process p = proc_with(names_bnd, 5, names_net, 1, names_net, 1, NULL, 0, NULL, 0);
  struct apply_arg a = {&p, 1000};
  _cleanup_free_ char *out = run_child(apply_and_exec, &a, NULL);
  CHECK_MSG(out && !strstr(out, "ERR"), out);
  CHECK(status_mask(out, "CapEff:") == 0);
  CHECK(status_mask(out, "CapPrm:") == 0);
  CHECK(status_mask(out, "CapAmb:") == 0);
}

static void test_apply_empty(void)
{
  /* Present but empty: everything dropped. */
  struct spec_process p = proc_with(NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
  struct apply_arg a = {&p, 0};
  _cleanup_free_ char *out = run_child(apply_and_exec, &a, NULL);
  CHECK_MSG(out && !strstr(out, "ERR"), out);
  CHECK(status_mask(out, "CapBnd:") == 0);
  CHECK(status_mask(out, "CapEff:") == 0);
}

static void test_apply_absent(void)
{
  /* No capabilities object: the sets are left as they are (runc >= 1.3). */
  struct spec_process p;
  memset(&p, 0, sizeof(p));
  struct apply_arg a = {&p, 0};
  _cleanup_free_ char *out = run_child(apply_and_exec, &a, NULL);
  CHECK_MSG(out && !strstr(out, "ERR"), out);
  uint64_t all = (caps_kernel_last() == 63) ? UINT64_MAX : BIT(caps_kernel_last() + 1) - 1;
  uint64_t own_bnd = 0;
  for (int c = 0; c <= caps_kernel_last(); c++)
    if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
      own_bnd |= BIT(c);
  CHECK(status_mask(out, "CapBnd:") == own_bnd);
  CHECK(own_bnd == all || own_bnd != 0);
}

static int ambient_needs_inh(void *arg)
{
  (void)arg;
  /* Ambient without inheritable: skipped with a warning, the rest applies. */
  struct spec_process p =
      proc_with(names_bnd, 5, names_net, 1, names_net, 1, NULL, 0, names_net, 1);
  herr_t err = NULL;
  if (security_prepare(&p, &err) < 0 || security_finish_caps(&p, &err) < 0) {
    printf("ERR %s\n", err->msg);
    return 1;
  }
  fflush(stdout);
  execl("/bin/grep", "grep", "^Cap", "/proc/self/status", (char *)NULL);
  return 1;
}

static void test_apply_ambient_skipped(void)
{
  int st;
  _cleanup_free_ char *out = run_child(ambient_needs_inh, NULL, &st);
  CHECK_MSG(out && !strstr(out, "ERR"), out);
  CHECK(status_mask(out, "CapAmb:") == 0);
  CHECK(status_mask(out, "CapInh:") == 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
  if (getuid() != 0) {
    printf("test_caps: needs root, skipped\n");
    return 77;
  }
  test_validate();
  test_apply_root();
  test_apply_user_ambient();
  test_apply_user_no_ambient();
  test_apply_empty();
  test_apply_absent();
  test_apply_ambient_skipped();
  return check_done();
}
