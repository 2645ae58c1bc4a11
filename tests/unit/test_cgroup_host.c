/* The cgroup manager on this host: create a uniquely named test cgroup
 * ("hutch-test-unit-<pid>"), apply what the host supports, read it back,
 * move a child in, freeze/thaw, kill, destroy.  Then the same for a v2
 * directory in the unified hierarchy when there is one (hybrid hosts: only
 * core files, no controller is enabled anywhere).  Everything created is
 * removed, also when checks fail. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"
#include "libcontainer/validate/validate.h"

static struct cgroup_manager *g_m, *g_v2;

static void cleanup(void)
{
  herr_t e = NULL;
  if (g_m)
    cgroup_destroy(g_m, &e);
  herr_free(&e);
  if (g_v2)
    cgroup_destroy(g_v2, &e);
  herr_free(&e);
}

static char *rd(const char *dir, const char *file)
{
  char *s = NULL;
  herr_t e = NULL;
  if (!dir || cg_read(dir, file, &s, &e) < 0) {
    herr_free(&e);
    return xstrdup("(unreadable)");
  }
  s[strcspn(s, "\n")] = '\0';
  return s;
}

#define CHECK_FILE(dir, file, want)                                                                \
  do {                                                                                             \
    char *_v = rd(dir, file);                                                                      \
    CHECK_STREQ(_v, want);                                                                         \
    free(_v);                                                                                      \
  } while (0)

static pid_t spawn_sleeper(void)
{
  pid_t pid = fork();
  if (pid == 0) {
    for (;;)
      pause();
  }
  return pid;
}

static bool pids_has(struct cgroup_manager *m, pid_t want)
{
  pid_t *p = NULL;
  size_t n = 0;
  herr_t e = NULL;
  bool found = false;
  if (cgroup_pids(m, &p, &n, &e) == 0)
    for (size_t i = 0; i < n; i++)
      found |= p[i] == want;
  herr_free(&e);
  free(p);
  return found;
}

/* As create and update do: the values through validate_resources, then
 * cgroup_apply. */
static char *apply_err(struct cgroup_manager *m, const struct spec_resources *r)
{
  herr_t e = NULL;
  if (validate_resources(r, &e) == 0 && cgroup_apply(m, r, &e) == 0)
    return xstrdup("(no error)");
  char *s = xstrdup(e->msg);
  herr_free(&e);
  return s;
}

static void test_errors(struct cgroup_manager *m)
{
  char *s;
  struct spec_resources r = {0};
  r.has_memory = true;
  r.memory.has_limit = true;
  r.memory.limit = -5;
  CHECK_STREQ(s = apply_err(m, &r),
              "linux.resources.memory.limit: -5 is not valid (expected bytes, or -1 for "
              "unlimited)");
  free(s);

  struct spec_kv kv = {"memory.max", "100000000"};
  struct spec_resources u = {.unified = &kv, .n_unified = 1};
  s = apply_err(m, &u);
  if (cg_locate(cgfs_of(m), "memory") && !cg_locate(cgfs_of(m), "memory")->v2)
    CHECK_CONTAINS(s, "linux.resources.unified[\"memory.max\"]: the memory controller is on "
                      "cgroup v1");
  else if (!cg_unified(cgfs_of(m)))
    CHECK_CONTAINS(s, "linux.resources.unified: needs cgroup v2");
  else
    CHECK_STREQ(s, "(no error)");
  free(s);

  struct spec_rdma rd = {.device = "mlx4_0", .has_hca_handles = true, .hca_handles = 2};
  struct spec_resources rr = {.rdma = &rd, .n_rdma = 1};
  s = apply_err(m, &rr);
  if (!cg_locate(cgfs_of(m), "rdma"))
    CHECK_STREQ(s, "linux.resources.rdma: not supported on this host (the rdma controller is "
                   "not available)");
  else
    CHECK_CONTAINS(s, "linux.resources.rdma[\"mlx4_0\"]");
  free(s);

  struct spec_resources dv = {0};
  struct spec_device_cgroup bad = {.allow = true, .type = 'x'};
  dv.devices = &bad;
  dv.n_devices = 1;
  CHECK_STREQ(s = apply_err(m, &dv), "linux.resources.devices[0].type: \"x\" is not a/b/c");
  free(s);

  struct spec_resources bw = {.has_block_io = true};
  bw.block_io.has_weight = true;
  bw.block_io.weight = 5;
  CHECK_STREQ(s = apply_err(m, &bw), "linux.resources.blockIO.weight: 5 is out of range (10-1000)");
  free(s);
  bw.block_io.weight = 500;
  s = apply_err(m, &bw);
  struct cg_hier *b = cg_locate(cgfs_of(m), "blkio");
  if (b && !b->v2 && !cg_file_exists(b->dir, "blkio.weight") &&
      !cg_file_exists(b->dir, "blkio.bfq.weight"))
    CHECK_STREQ(s, "linux.resources.blockIO.weight: not supported by this kernel (blkio.weight "
                   "does not exist)");
  free(s);

  struct spec_resources hp = {0};
  struct spec_hugepage_limit l = {.page_size = "3MB", .limit = 0};
  hp.hugepage_limits = &l;
  hp.n_hugepage_limits = 1;
  s = apply_err(m, &hp);
  CHECK_CONTAINS(s, "linux.resources.hugepageLimits");
  free(s);
}

static void test_v1_or_main(void)
{
  herr_t err = NULL;
  char name[64];
  snprintf(name, sizeof(name), "/hutch-test-unit-%d", (int)getpid());
  CHECK(cgroup_manager_new(&cgroup_driver_fs, &(struct cgroup_config){.id = "x", .path = name},
                           &g_m, &err) == 0);
  if (!g_m) {
    fprintf(stderr, "%s\n", err->msg);
    return;
  }
  struct cgroup_manager *m = g_m;
  CHECK(cgroup_create(m, CGROUP_BEFORE_CLONE, 0, &err) == 0);
  for (size_t i = 0; i < cgfs_of(m)->n_h; i++) {
    struct stat st;
    CHECK_MSG(stat(cgfs_of(m)->h[i].dir, &st) == 0, cgfs_of(m)->h[i].dir);
    CHECK_CONTAINS(cgfs_of(m)->h[i].dir, name);
  }

  struct spec_resources r = {0};
  r.has_memory = true;
  r.memory.has_limit = true;
  r.memory.limit = 64 << 20;
  r.memory.has_reservation = true;
  r.memory.reservation = 32 << 20;
  struct cg_hier *mem = cg_locate(cgfs_of(m), "memory");
  bool memsw = mem && (mem->v2 ? cg_file_exists(mem->dir, "memory.swap.max")
                               : cg_file_exists(mem->dir, "memory.memsw.limit_in_bytes"));
  if (memsw) {
    r.memory.has_swap = true;
    r.memory.swap = 128 << 20;
  }
  if (mem && !mem->v2) {
    r.memory.has_swappiness = true;
    r.memory.swappiness = 10;
  }
  /* memory.kernel: deprecated, ignored with a warning as runc (issue 16
   * item 20; it used to be honoured or refused). */
  if (mem && !mem->v2) {
    struct spec_resources k = {.has_memory = true};
    k.memory.has_kernel = true;
    k.memory.kernel = 256 << 20;
    char *s = apply_err(m, &k);
    CHECK_STREQ(s, "(no error)");
    free(s);
  }
  r.has_cpu = true;
  r.cpu.has_shares = true;
  r.cpu.shares = 512;
  r.cpu.has_quota = true;
  r.cpu.quota = 50000;
  r.cpu.has_period = true;
  r.cpu.period = 100000;
  r.cpu.cpus = "0";
  r.cpu.mems = "0";
  r.has_pids = true;
  r.pids_limit = 50;
  struct spec_device_cgroup devs[] = {{.allow = false, .type = 'a', .access = "rwm"},
                                      {.allow = true,
                                       .type = 'c',
                                       .has_major = true,
                                       .major = 4,
                                       .has_minor = true,
                                       .minor = 1,
                                       .access = "rw"}};
  r.devices = devs;
  r.n_devices = 2;
  CHECK(cgroup_apply(m, &r, &err) == 0);
  if (err) {
    fprintf(stderr, "apply: %s\n", err->msg);
    herr_free(&err);
  }

  if (mem && !mem->v2) {
    CHECK_FILE(mem->dir, "memory.limit_in_bytes", "67108864");
    CHECK_FILE(mem->dir, "memory.soft_limit_in_bytes", "33554432");
    CHECK_FILE(mem->dir, "memory.swappiness", "10");
    if (memsw)
      CHECK_FILE(mem->dir, "memory.memsw.limit_in_bytes", "134217728");
  } else if (mem) {
    CHECK_FILE(mem->dir, "memory.max", "67108864");
    CHECK_FILE(mem->dir, "memory.low", "33554432");
    if (memsw)
      CHECK_FILE(mem->dir, "memory.swap.max", "67108864");
  }
  struct cg_hier *cpu = cg_locate(cgfs_of(m), "cpu");
  if (cpu && !cpu->v2) {
    CHECK_FILE(cpu->dir, "cpu.shares", "512");
    CHECK_FILE(cpu->dir, "cpu.cfs_quota_us", "50000");
    CHECK_FILE(cpu->dir, "cpu.cfs_period_us", "100000");
  } else if (cpu) {
    CHECK_FILE(cpu->dir, "cpu.weight", "20");
    CHECK_FILE(cpu->dir, "cpu.max", "50000 100000");
  }
  struct cg_hier *cs = cg_locate(cgfs_of(m), "cpuset");
  if (cs) {
    CHECK_FILE(cs->dir, "cpuset.cpus", "0");
    CHECK_FILE(cs->dir, "cpuset.mems", "0");
  }
  struct cg_hier *ph = cg_locate(cgfs_of(m), "pids");
  if (ph)
    CHECK_FILE(ph->dir, "pids.max", "50");
  struct cg_hier *dh = cg_locate(cgfs_of(m), "devices");
  if (dh && !dh->v2) {
    char *list = NULL;
    cg_read(dh->dir, "devices.list", &list, &err);
    CHECK_CONTAINS(list, "c 4:1 rw");
    CHECK_CONTAINS(list, "c 1:3 rwm");
    CHECK_CONTAINS(list, "c 136:* rwm");
    CHECK(strstr(list, "a *:* rwm") == NULL);
    free(list);
  }

  /* Update: only the period, only pids. */
  struct spec_resources up = {.has_pids = true, .pids_limit = -1};
  CHECK(cgroup_apply(m, &up, &err) == 0);
  herr_free(&err);
  if (ph)
    CHECK_FILE(ph->dir, "pids.max", "max");
  /* Shrinking memory+swap below the limit fails clearly; growing both works. */
  if (mem && !mem->v2 && memsw) {
    struct spec_resources grow = {.has_memory = true};
    grow.memory.has_limit = grow.memory.has_swap = true;
    grow.memory.limit = 512 << 20;
    grow.memory.swap = 1024 << 20;
    CHECK(cgroup_apply(m, &grow, &err) == 0);
    herr_free(&err);
    CHECK_FILE(mem->dir, "memory.limit_in_bytes", "536870912");
    CHECK_FILE(mem->dir, "memory.memsw.limit_in_bytes", "1073741824");
    grow.memory.limit = -1;
    grow.memory.swap = -1;
    CHECK(cgroup_apply(m, &grow, &err) == 0);
    herr_free(&err);
  }

  test_errors(m);

  /* A process: enter, list, freeze, thaw, kill. */
  pid_t child = spawn_sleeper();
  CHECK(child > 0);
  CHECK(cgroup_enter(m, child, &err) == 0);
  herr_free(&err);
  CHECK(pids_has(m, child));
  char procf[64];
  snprintf(procf, sizeof(procf), "/proc/%d/cgroup", (int)child);
  char *pc = NULL;
  read_file_at(AT_FDCWD, procf, &pc, NULL, &err);
  CHECK_CONTAINS(pc, name + 1);
  free(pc);
  bool frozen = true;
  CHECK(cgroup_is_frozen(m, &frozen, &err) == 0 && !frozen);
  CHECK(cgroup_freeze(m, true, &err) == 0);
  herr_free(&err);
  CHECK(cgroup_is_frozen(m, &frozen, &err) == 0 && frozen);
  CHECK(cgroup_freeze(m, false, &err) == 0);
  herr_free(&err);
  CHECK(cgroup_is_frozen(m, &frozen, &err) == 0 && !frozen);
  json_t *st = NULL;
  CHECK(cgroup_stats(m, &st, &err) == 0);
  herr_free(&err);
  char *sts = st ? json_dumps(st, JSON_COMPACT) : NULL;
  CHECK_CONTAINS(sts, "\"pids\":{\"current\":1");
  CHECK_CONTAINS(sts, "\"memory\":{");
  CHECK_CONTAINS(sts, "\"usage\":{\"total\":");
  free(sts);
  json_decref(st);
  CHECK(cgroup_kill_all(m, SIGKILL, &err) == 0);
  herr_free(&err);
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  /* pids.max = 1: the first process lives, it cannot fork. */
  if (ph) {
    struct spec_resources one = {.has_pids = true, .pids_limit = 1};
    CHECK(cgroup_apply(m, &one, &err) == 0);
    herr_free(&err);
    int pfd[2];
    CHECK(pipe2(pfd, O_CLOEXEC) == 0);
    pid_t c = fork();
    if (c == 0) {
      char go;
      close(pfd[1]);
      if (read(pfd[0], &go, 1) != 0)
        _exit(3);
      pid_t g = fork();
      if (g == 0)
        _exit(0);
      _exit(g < 0 && errno == EAGAIN ? 0 : 1);
    }
    close(pfd[0]);
    CHECK(cgroup_enter(m, c, &err) == 0);
    herr_free(&err);
    close(pfd[1]);
    CHECK(waitpid(c, &status, 0) == c);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork under pids.max=1 must fail");
  }

  /* exec --cgroup: a sub-cgroup in one hierarchy, the container's elsewhere. */
  if (mem && !mem->v2) {
    char *sub = xasprintf("%s/sub1", mem->dir);
    CHECK(mkdir(sub, 0755) == 0);
    pid_t sc = spawn_sleeper();
    CHECK(cgroup_enter_sub(m, sc, "memory:sub1", &err) == 0);
    herr_free(&err);
    char *pcg = NULL;
    snprintf(procf, sizeof(procf), "/proc/%d/cgroup", (int)sc);
    read_file_at(AT_FDCWD, procf, &pcg, NULL, &err);
    char *want = xasprintf(":memory:%s/sub1\n", name);
    CHECK_CONTAINS(pcg, want);
    free(want);
    want = xasprintf(":pids:%s\n", name);
    if (cg_locate(cgfs_of(m), "pids"))
      CHECK_CONTAINS(pcg, want);
    free(want);
    free(pcg);
    char *e = NULL;
    CHECK(cgroup_enter_sub(m, sc, "nosuch", &err) < 0);
    e = err ? err->msg : NULL;
    CHECK_CONTAINS(e, "--cgroup \"nosuch\": the sub-cgroup");
    herr_free(&err);
    CHECK(cgroup_enter_sub(m, sc, "../up", &err) < 0);
    herr_free(&err);
    kill(sc, SIGKILL);
    waitpid(sc, NULL, 0);
    free(sub);
  }

  /* A process that is slow to die does not make destroy hang or fail. */
  child = spawn_sleeper();
  CHECK(cgroup_enter(m, child, &err) == 0);
  herr_free(&err);
  CHECK(cgroup_destroy(m, &err) == 0);
  if (err) {
    fprintf(stderr, "destroy: %s\n", err->msg);
    herr_free(&err);
  }
  waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  for (size_t i = 0; i < cgfs_of(m)->n_h; i++)
    CHECK_MSG(access(cgfs_of(m)->h[i].dir, F_OK) < 0, cgfs_of(m)->h[i].dir);
  cgroup_manager_free(m);
  g_m = NULL;
}

static void test_relative(void)
{
  herr_t err = NULL;
  struct cgroup_manager *m = NULL;
  CHECK(cgroup_manager_new(&cgroup_driver_fs,
                           &(struct cgroup_config){.id = "x", .path = "hutch-test-unit-rel"}, &m,
                           &err) == 0);
  if (!m)
    return;
  char *self = NULL;
  read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, &err);
  for (size_t i = 0; i < cgfs_of(m)->n_h; i++) {
    char *own = cg_own_path(self, cgfs_of(m)->h[i].key);
    char *want = xasprintf("%s%s/hutch-test-unit-rel", cgfs_of(m)->h[i].mnt,
                           own && strcmp(own, "/") ? own : "");
    CHECK_STREQ(cgfs_of(m)->h[i].dir, want);
    free(want);
    free(own);
  }
  free(self);
  cgroup_manager_free(m);
}

/* The v2 driver on a directory of the unified hierarchy (no controllers are
 * enabled: on a hybrid host that would change the root's subtree_control). */
static void test_v2(void)
{
  if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) < 0 &&
      access("/sys/fs/cgroup/cgroup.controllers", F_OK) < 0) {
    printf("no unified hierarchy: v2 part skipped\n");
    return;
  }
  const char *mnt = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0
                        ? "/sys/fs/cgroup"
                        : "/sys/fs/cgroup/unified";
  char dir[256];
  snprintf(dir, sizeof(dir), "%s/hutch-test-unit-%d-v2", mnt, (int)getpid());
  json_t *j = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:i, s:s}]}", "mode", "unified", "path",
                        dir + strlen(mnt), "hierarchies", "key", "unified", "mount", mnt, "dir",
                        dir, "v2", 1, "created", 0, "controllers", "");
  herr_t err = NULL;
  CHECK(cgroup_manager_from_json(j, "x", &g_v2, &err) == 0);
  json_decref(j);
  if (!g_v2)
    return;
  struct cgroup_manager *m = g_v2;
  CHECK(cgroup_create(m, CGROUP_BEFORE_CLONE, 0, &err) == 0);
  herr_free(&err);
  int cfd = cgroup_clone_into_fd(m);
  CHECK(cfd >= 0);

  int status = -1;
  /* Devices: deny all, allow /dev/null (default) and c 1:11 read-only. */
  struct spec_device_cgroup devs[] = {{.allow = false, .type = 'a'},
                                      {.allow = true,
                                       .type = 'c',
                                       .has_major = true,
                                       .major = 1,
                                       .has_minor = true,
                                       .minor = 11,
                                       .access = "r"}};
  struct spec_resources r = {.devices = devs, .n_devices = 2};
  CHECK(cgroup_apply(m, &r, &err) == 0);
  if (err) {
    fprintf(stderr, "v2 devices: %s\n", err->msg);
    herr_free(&err);
  }
  /* A child born in the cgroup with clone3(CLONE_INTO_CGROUP). */
  struct clone_args ca = {
      .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cfd};
  pid_t c = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
  if (c == 0) {
    int code = 0;
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0)
      code |= 1;
    fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
      code |= 2;
    fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (!(fd < 0 && errno == EPERM))
      code |= 4;
    fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
    if (!(fd < 0 && (errno == EPERM || errno == ENOENT)))
      code |= 8;
    _exit(code);
  }
  CHECK(c > 0);
  pid_t wr = waitpid(c, &status, 0);
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    fprintf(stderr, "clone3 child %d: waitpid %d status 0x%x\n", (int)c, (int)wr, status);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "device filter in the child");
  if (WIFEXITED(status) && WEXITSTATUS(status))
    fprintf(stderr, "device checks failed: mask %d\n", WEXITSTATUS(status));
  /* Replacing the program (update) keeps exactly one of ours attached. */
  struct spec_device_cgroup allow_all[] = {{.allow = true, .type = 'a'}};
  struct spec_resources r2 = {.devices = allow_all, .n_devices = 1};
  CHECK(cgroup_apply(m, &r2, &err) == 0);
  herr_free(&err);

  /* unified: a core file. */
  struct spec_kv kv = {"cgroup.max.descendants", "5"};
  struct spec_resources u = {.unified = &kv, .n_unified = 1};
  CHECK(cgroup_apply(m, &u, &err) == 0);
  herr_free(&err);
  CHECK_FILE(dir, "cgroup.max.descendants", "5");
  struct spec_kv bad = {"nosuch.file", "1"};
  struct spec_resources ub = {.unified = &bad, .n_unified = 1};
  char *s = apply_err(m, &ub);
  CHECK_STREQ(s, "linux.resources.unified[\"nosuch.file\"]: not supported on this host (no nosuch "
                 "controller in the unified hierarchy)");
  free(s);

  pid_t child = spawn_sleeper();
  CHECK(cgroup_enter(m, child, &err) == 0);
  herr_free(&err);
  CHECK(pids_has(m, child));
  bool frozen = true;
  CHECK(cgroup_freeze(m, true, &err) == 0);
  if (err) {
    fprintf(stderr, "v2 freeze: %s\n", err->msg);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "grep -E 'State|SigPnd|ShdPnd' /proc/%d/status; cat /proc/%d/wchan; echo; cat "
             "%s/cgroup.events %s/cgroup.procs",
             (int)child, (int)child, dir, dir);
    if (system(cmd)) {
    }
  }
  herr_free(&err);
  CHECK(cgroup_is_frozen(m, &frozen, &err) == 0 && frozen);
  CHECK_FILE(dir, "cgroup.freeze", "1");
  CHECK(cgroup_freeze(m, false, &err) == 0);
  herr_free(&err);
  CHECK(cgroup_is_frozen(m, &frozen, &err) == 0 && !frozen);
  /* (After cgroup.kill, this kernel SIGKILLs children cloned into the cgroup
   * with CLONE_INTO_CGROUP: kill last.) */
  CHECK(cgroup_kill_all(m, SIGKILL, &err) == 0);
  herr_free(&err);
  waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  CHECK(cgroup_destroy(m, &err) == 0);
  herr_free(&err);
  CHECK(access(dir, F_OK) < 0);
  cgroup_manager_free(m);
  g_v2 = NULL;
}

int main(void)
{
  if (geteuid() != 0) {
    printf("not root: skipped\n");
    return 0;
  }
  atexit(cleanup);
  test_v1_or_main();
  test_relative();
  test_v2();
  return check_done();
}
