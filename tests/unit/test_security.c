/* The rest of the security module: process attributes (oomScoreAdj,
 * personality, scheduler, ioPriority, CPU affinity), LSM checks, no_new_privs,
 * dumpable, fd hygiene and the cwd check (CVE-2024-21626). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

typedef int (*child_fn)(char *out, size_t len);

/* Run fn in a child; return its report (and its status). */
static char *run(child_fn fn, int *status)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    char buf[1024] = {0};
    int r = fn(buf, sizeof(buf));
    write(p[1], buf, strlen(buf));
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

static void expect_invalid(struct spec *s, const char *msg)
{
  _cleanup_herr_ herr_t err = NULL;
  CHECK(security_validate(s, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, msg);
}

static struct spec base_spec(void)
{
  struct spec s;
  memset(&s, 0, sizeof(s));
  s.has_process = true;
  s.has_linux = true;
  return s;
}

static void test_validate(void)
{
  struct spec s = base_spec();
  _cleanup_herr_ herr_t err = NULL;
  CHECK(security_validate(&s, &err) == 0);

  s.process.has_oom_score_adj = true;
  s.process.oom_score_adj = 1001;
  expect_invalid(&s, "process.oomScoreAdj: 1001 is out of range (-1000..1000)");

  s = base_spec();
  s.process.has_scheduler = true;
  s.process.scheduler.policy = "SCHED_FAST";
  expect_invalid(&s, "process.scheduler.policy: unknown policy \"SCHED_FAST\"");
  s.process.scheduler.policy = "SCHED_FIFO";
  expect_invalid(&s, "process.scheduler.priority: SCHED_FIFO needs a priority in 1..99");
  s.process.scheduler.policy = "SCHED_OTHER";
  s.process.scheduler.has_nice = true;
  s.process.scheduler.nice = 20;
  expect_invalid(&s, "process.scheduler.nice: 20 is out of range (-20..19)");
  s.process.scheduler.nice = 0;
  char *badflag[] = {"SCHED_FLAG_TURBO"};
  s.process.scheduler.flags = badflag;
  s.process.scheduler.n_flags = 1;
  expect_invalid(&s, "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_TURBO\"");

  s = base_spec();
  s.process.has_io_priority = true;
  s.process.io_priority.klass = "IOPRIO_CLASS_FAST";
  expect_invalid(&s, "process.ioPriority.class: unknown class \"IOPRIO_CLASS_FAST\"");
  s.process.io_priority.klass = "IOPRIO_CLASS_BE";
  s.process.io_priority.priority = 8;
  expect_invalid(&s, "process.ioPriority.priority: 8 is out of range (0..7)");

  s = base_spec();
  s.process.exec_cpu_affinity_initial = "0-x";
  expect_invalid(&s, "process.execCPUAffinity.initial: invalid CPU list \"0-x\" (expected e.g. "
                     "\"0-3,7\")");
  s.process.exec_cpu_affinity_initial = "3-1";
  expect_invalid(&s, "process.execCPUAffinity.initial: invalid CPU list \"3-1\" (expected e.g. "
                     "\"0-3,7\")");

  s = base_spec();
  s.linux_.has_personality = true;
  s.linux_.personality.domain = "LINUX64";
  expect_invalid(&s, "linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)");
  s.linux_.personality.domain = "LINUX";
  char *pflag[] = {"ADDR_NO_RANDOMIZE", "BOGUS"};
  s.linux_.personality.flags = pflag;
  s.linux_.personality.n_flags = 2;
  expect_invalid(&s, "linux.personality.flags[1]: unknown flag \"BOGUS\"");

  /* LSMs: this host's answer decides; without the LSM the field is refused. */
  s = base_spec();
  s.process.apparmor_profile = "hutch-test";
  if (!lsm_apparmor_enabled())
    expect_invalid(&s, "process.apparmorProfile: \"hutch-test\" cannot be applied: AppArmor is "
                       "not enabled on this host");
  s = base_spec();
  s.process.selinux_label = "system_u:system_r:container_t:s0";
  if (!lsm_selinux_enabled())
    expect_invalid(&s, "process.selinuxLabel: \"system_u:system_r:container_t:s0\" cannot be "
                       "applied: SELinux is not enabled on this host");
  s = base_spec();
  s.linux_.mount_label = "system_u:object_r:container_file_t:s0";
  if (!lsm_selinux_enabled())
    expect_invalid(&s, "linux.mountLabel: \"system_u:object_r:container_file_t:s0\" cannot be "
                       "applied: SELinux is not enabled on this host");
}

static int child_attrs(char *out, size_t len)
{
  struct spec_process p;
  memset(&p, 0, sizeof(p));
  p.has_oom_score_adj = true;
  p.oom_score_adj = 512;
  p.has_scheduler = true;
  p.scheduler.policy = "SCHED_BATCH";
  p.scheduler.has_nice = true;
  p.scheduler.nice = 7;
  p.has_io_priority = true;
  p.io_priority.klass = "IOPRIO_CLASS_BE";
  p.io_priority.priority = 6;
  struct spec_personality pers = {.domain = "LINUX32"};
  char *pf[] = {"ADDR_NO_RANDOMIZE"};
  pers.flags = pf;
  pers.n_flags = 1;
  herr_t err = NULL;
  if (security_prepare(&p, &err) < 0 || security_set_personality(&pers, &err) < 0) {
    snprintf(out, len, "ERR %s", err->msg);
    return 1;
  }
  char oom[16] = {0};
  int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
  read(fd, oom, sizeof(oom) - 1);
  close(fd);
  oom[strcspn(oom, "\n")] = 0;
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, 0);
  long io = syscall(SYS_ioprio_get, 1, 0);
  snprintf(out, len, "oom=%s policy=%d nice=%d ioprio=%ld pers=%#x keepcaps=%d", oom,
           sched_getscheduler(0), nice, io, personality(0xffffffff),
           prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
  return 0;
}

static void test_attrs(void)
{
  _cleanup_free_ char *out = run(child_attrs, NULL);
  char want[160];
  snprintf(want, sizeof(want), "oom=512 policy=%d nice=7 ioprio=%d pers=%#x keepcaps=1",
           SCHED_BATCH, (2 << 13) | 6, PER_LINUX32 | ADDR_NO_RANDOMIZE);
  CHECK_STREQ(out, want);
}

static int child_fifo_nice_error(char *out, size_t len)
{
  struct spec_process p;
  memset(&p, 0, sizeof(p));
  p.has_scheduler = true;
  p.scheduler.policy = "SCHED_DEADLINE";
  p.scheduler.has_runtime = true;
  p.scheduler.runtime = 1; /* below the kernel's minimum: EINVAL */
  p.scheduler.has_deadline = true;
  p.scheduler.deadline = 1;
  p.scheduler.has_period = true;
  p.scheduler.period = 1;
  herr_t err = NULL;
  if (security_prepare(&p, &err) < 0) {
    snprintf(out, len, "ERR %s", err->msg);
    return 1;
  }
  return 0;
}

static void test_attr_errors(void)
{
  _cleanup_free_ char *out = run(child_fifo_nice_error, NULL);
  CHECK_CONTAINS(out, "ERR process.scheduler: sched_setattr(SCHED_DEADLINE): ");
}

static int child_affinity(char *out, size_t len)
{
  herr_t err = NULL;
  if (security_set_cpu_affinity(0, "0", "process.execCPUAffinity.final", &err) < 0) {
    snprintf(out, len, "ERR %s", err->msg);
    return 1;
  }
  cpu_set_t set;
  sched_getaffinity(0, sizeof(set), &set);
  snprintf(out, len, "count=%d cpu0=%d", CPU_COUNT(&set), CPU_ISSET(0, &set) ? 1 : 0);
  if (security_set_cpu_affinity(0, "100000", "process.execCPUAffinity.final", &err) < 0)
    snprintf(out + strlen(out), len - strlen(out), " ERR %s", err->msg);
  return 0;
}

static void test_affinity(void)
{
  _cleanup_free_ char *out = run(child_affinity, NULL);
  CHECK_CONTAINS(out, "count=1 cpu0=1");
  CHECK_CONTAINS(out, "ERR process.execCPUAffinity.final: CPU 100000 is out of range");
}

static int child_nnp_dumpable(char *out, size_t len)
{
  herr_t err = NULL;
  int before = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (security_set_no_new_privs(&err) < 0 || security_make_undumpable(&err) < 0)
    return 1;
  struct spec_process p;
  memset(&p, 0, sizeof(p));
  /* Switching uid with fs.suid_dumpable=1 would make it dumpable again:
   * security_finish_caps re-asserts 0. */
  if (security_prepare(&p, &err) < 0 || setresuid(1000, 1000, 1000) < 0 ||
      security_finish_caps(&p, &err) < 0)
    return 2;
  snprintf(out, len, "nnp %d->%d dumpable=%d", before, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
           prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
  return 0;
}

static void test_nnp_dumpable(void)
{
  _cleanup_free_ char *out = run(child_nnp_dumpable, NULL);
  CHECK_STREQ(out, "nnp 0->1 dumpable=0");
}

static int child_cloexec(char *out, size_t len)
{
  int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY);
  int c = open("/dev/null", O_RDONLY), d = dup2(c, 200);
  int keep[] = {b, 999 /* not open: fine */};
  herr_t err = NULL;
  if (security_cloexec_fds(3, keep, 2, &err) < 0) {
    snprintf(out, len, "ERR %s", err->msg);
    return 1;
  }
  snprintf(out, len, "a=%d b=%d c=%d d=%d in=%d", fcntl(a, F_GETFD) & FD_CLOEXEC,
           fcntl(b, F_GETFD) & FD_CLOEXEC, fcntl(c, F_GETFD) & FD_CLOEXEC,
           fcntl(d, F_GETFD) & FD_CLOEXEC, fcntl(0, F_GETFD) & FD_CLOEXEC);
  return 0;
}

static void test_cloexec(void)
{
  _cleanup_free_ char *out = run(child_cloexec, NULL);
  CHECK_STREQ(out, "a=1 b=0 c=1 d=1 in=0");
}

static char cwd_root[64];

static int child_cwd_outside(char *out, size_t len)
{
  /* A cwd that is not under the new root (what a leaked host fd gives). */
  herr_t err = NULL;
  if (chdir("/") < 0 || chroot(cwd_root) < 0)
    return 1;
  if (security_check_cwd(&err) < 0) {
    snprintf(out, len, "ERR %s", err->msg);
    return 0;
  }
  snprintf(out, len, "accepted");
  return 0;
}

static int child_cwd_inside(char *out, size_t len)
{
  herr_t err = NULL;
  if (chroot(cwd_root) < 0 || chdir("/sub") < 0)
    return 1;
  if (security_check_cwd(&err) < 0) {
    snprintf(out, len, "ERR %s", err->msg);
    return 0;
  }
  snprintf(out, len, "ok");
  return 0;
}

static void test_cwd(void)
{
  snprintf(cwd_root, sizeof(cwd_root), "/tmp/hutch-test-cwd-XXXXXX");
  CHECK(mkdtemp(cwd_root) != NULL);
  _cleanup_free_ char *sub = xasprintf("%s/sub", cwd_root);
  mkdir(sub, 0755);
  _cleanup_free_ char *out = run(child_cwd_outside, NULL);
  CHECK_CONTAINS(out, "ERR process.cwd: the working directory is outside the container's root");
  _cleanup_free_ char *out2 = run(child_cwd_inside, NULL);
  CHECK_STREQ(out2, "ok");
  rmdir(sub);
  rmdir(cwd_root);
}

static int child_lsm_write(char *out, size_t len)
{
  /* Called anyway (validation skipped), the write must fail naming the field. */
  struct spec_process p;
  memset(&p, 0, sizeof(p));
  p.apparmor_profile = "hutch-test";
  herr_t err = NULL;
  if (security_set_lsm_labels(&p, &err) < 0)
    snprintf(out, len, "ERR %s", err->msg);
  else
    snprintf(out, len, "applied");
  return 0;
}

static void test_lsm_apply(void)
{
  if (lsm_apparmor_enabled())
    return;
  _cleanup_free_ char *out = run(child_lsm_write, NULL);
  CHECK_CONTAINS(out, "ERR process.apparmorProfile: ");
}

int main(void)
{
  if (getuid() != 0) {
    printf("test_security: needs root, skipped\n");
    return 77;
  }
  test_validate();
  test_attrs();
  test_attr_errors();
  test_affinity();
  test_nnp_dumpable();
  test_cloexec();
  test_cwd();
  test_lsm_apply();
  return check_done();
}
