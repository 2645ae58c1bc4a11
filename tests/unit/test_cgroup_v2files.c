/* The v2 resource writers and stats readers against a fake unified tree of
 * regular files (this host may have no v2 controllers to try them on): what
 * each linux.resources field writes to which file, the v2 conversions, the
 * v1-only fields refused, and the stats parsed back. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

static char root[64], dir[128];

static void put(const char *d, const char *file, const char *content)
{
  char *p = xasprintf("%s/%s", d, file);
  herr_t e = NULL;
  write_file_at(AT_FDCWD, p, content, strlen(content), 1, &e);
  herr_free(&e);
  free(p);
}

static char *get(const char *file)
{
  char *s = NULL;
  herr_t e = NULL;
  if (cg_read(dir, file, &s, &e) < 0) {
    herr_free(&e);
    return xstrdup("(missing)");
  }
  return s;
}

#define CHECK_FILE(file, want)                                                                     \
  do {                                                                                             \
    char *_v = get(file);                                                                          \
    CHECK_STREQ(_v, want);                                                                         \
    free(_v);                                                                                      \
  } while (0)

static char *apply_err(struct cgroup_manager *m, const struct spec_resources *r)
{
  herr_t e = NULL;
  if (cgroup_apply(m, r, &e) == 0)
    return xstrdup("(no error)");
  char *s = xstrdup(e->msg);
  herr_free(&e);
  return s;
}

static const char *const files[] = {
    "memory.max",      "memory.low",
    "memory.swap.max", "memory.high",
    "cpu.weight",      "cpu.max.burst",
    "cpu.idle",        "cpuset.cpus",
    "cpuset.mems",     "pids.max",
    "io.weight",       "io.max",
    "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max",
    "rdma.max",        "cgroup.subtree_control",
};

int main(void)
{
  snprintf(root, sizeof(root), "/tmp/hutch-test-unit-v2files-XXXXXX");
  if (!mkdtemp(root)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(dir, sizeof(dir), "%s/a/c1", root);
  char *a = xasprintf("%s/a", root);
  mkdir(a, 0755);
  mkdir(dir, 0755);
  put(root, "cgroup.subtree_control", "");
  put(a, "cgroup.subtree_control", "cpu");
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
    put(dir, files[i], "");
  put(dir, "cpu.max", "max 100000\n");
  put(dir, "memory.current", "4096\n");
  const char *ctrls = "cpuset cpu io memory hugetlb pids rdma";
  json_t *j = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:i, s:s}]}", "mode", "unified", "path",
                        "/a/c1", "hierarchies", "key", "unified", "mount", root, "dir", dir, "v2",
                        1, "created", 0, "controllers", ctrls);
  struct cgroup_manager *m = NULL;
  herr_t err = NULL;
  CHECK(cgroup_manager_from_json(j, "x", &m, &err) == 0);
  json_decref(j);
  if (!m)
    return check_done();

  struct spec_resources r = {0};
  r.has_memory = true;
  r.memory.has_limit = r.memory.has_swap = r.memory.has_reservation = true;
  r.memory.limit = 64 << 20;
  r.memory.swap = 128 << 20;
  r.memory.reservation = 32 << 20;
  r.has_cpu = true;
  r.cpu.has_shares = r.cpu.has_quota = r.cpu.has_period = r.cpu.has_burst = true;
  r.cpu.shares = 1024;
  r.cpu.quota = 50000;
  r.cpu.period = 100000;
  r.cpu.burst = 1000;
  r.cpu.has_idle = true;
  r.cpu.idle = 1;
  r.cpu.cpus = "0-1";
  r.cpu.mems = "0";
  r.has_pids = true;
  r.pids_limit = 10;
  r.has_block_io = true;
  r.block_io.has_weight = true;
  r.block_io.weight = 500;
  struct spec_throttle_device t = {8, 0, 1048576};
  r.block_io.throttle_read_bps = &t;
  r.block_io.n_throttle_read_bps = 1;
  struct spec_hugepage_limit hp = {"2MB", 4194304};
  r.hugepage_limits = &hp;
  r.n_hugepage_limits = 1;
  struct spec_rdma rd = {.device = "mlx5_0", .has_hca_handles = true, .hca_handles = 3};
  r.rdma = &rd;
  r.n_rdma = 1;
  struct spec_kv kv = {"memory.high", "50000000"};
  r.unified = &kv;
  r.n_unified = 1;
  CHECK(cgroup_apply(m, &r, &err) == 0);
  if (err) {
    fprintf(stderr, "apply: %s\n", err->msg);
    herr_free(&err);
  }
  CHECK_FILE("memory.max", "67108864");
  CHECK_FILE("memory.swap.max", "67108864"); /* swap - limit */
  CHECK_FILE("memory.low", "33554432");
  CHECK_FILE("cpu.weight", "39"); /* runc's conversion of 1024 shares */
  CHECK_FILE("cpu.max", "50000 100000");
  CHECK_FILE("cpu.max.burst", "1000");
  CHECK_FILE("cpu.idle", "1");
  CHECK_FILE("cpuset.cpus", "0-1");
  CHECK_FILE("cpuset.mems", "0");
  CHECK_FILE("pids.max", "10");
  CHECK_FILE("io.weight", "default 4950");
  CHECK_FILE("io.max", "8:0 rbps=1048576");
  CHECK_FILE("hugetlb.2MB.max", "4194304");
  CHECK_FILE("hugetlb.2MB.rsvd.max", "4194304");
  CHECK_FILE("rdma.max", "mlx5_0 hca_handle=3 hca_object=max");
  CHECK_FILE("memory.high", "50000000");
  /* Controllers enabled in the ancestors (a regular file keeps the last write). */
  char *sc = NULL;
  cg_read(a, "cgroup.subtree_control", &sc, &err);
  CHECK(sc && sc[0] == '+');
  free(sc);
  cg_read(root, "cgroup.subtree_control", &sc, &err);
  CHECK(sc && sc[0] == '+');
  free(sc);

  /* Only the period: the quota stays. Unlimited: "max". */
  struct spec_resources p = {.has_cpu = true};
  p.cpu.has_period = true;
  p.cpu.period = 200000;
  CHECK(cgroup_apply(m, &p, &err) == 0);
  herr_free(&err);
  CHECK_FILE("cpu.max", "50000 200000");
  struct spec_resources q = {.has_cpu = true};
  q.cpu.has_quota = true;
  q.cpu.quota = -1;
  CHECK(cgroup_apply(m, &q, &err) == 0);
  herr_free(&err);
  CHECK_FILE("cpu.max", "max");
  struct spec_resources un = {.has_memory = true, .has_pids = true, .pids_limit = -1};
  un.memory.has_limit = true;
  un.memory.limit = -1;
  CHECK(cgroup_apply(m, &un, &err) == 0);
  herr_free(&err);
  CHECK_FILE("memory.max", "max");
  CHECK_FILE("memory.swap.max", "max");
  CHECK_FILE("pids.max", "max");
  /* checkBeforeUpdate: below the current usage (4096). */
  struct spec_resources cb = {.has_memory = true};
  cb.memory.has_limit = cb.memory.has_check_before_update = cb.memory.check_before_update = true;
  cb.memory.limit = 1024;
  char *s = apply_err(m, &cb);
  CHECK_CONTAINS(s, "linux.resources.memory.limit: cannot set 1024 bytes: the container already "
                    "uses 4096 bytes");
  free(s);

  /* v1-only fields are refused on v2 with their name (those the runtime-spec
   * lets runtimes ignore: a warning). */
  struct {
    struct spec_resources r;
    const char *want;
  } bad[6];
  memset(bad, 0, sizeof(bad));
  bad[0].r.has_memory = bad[0].r.memory.has_swappiness = true;
  bad[0].r.memory.swappiness = 10;
  bad[0].want = "linux.resources.memory.swappiness: not supported on cgroup v2 (no per-cgroup "
                "swappiness)";
  bad[1].r.has_memory = bad[1].r.memory.has_kernel = true;
  bad[1].r.memory.kernel = 1 << 20;
  /* memory.kernel and blockIO.leafWeight: ignored with a warning, as runc
   * (issue 16 item 20; they used to be refused). */
  bad[1].want = "(no error)";
  bad[2].r.has_memory = bad[2].r.memory.has_disable_oom_killer = true;
  bad[2].r.memory.disable_oom_killer = true;
  bad[2].want = "linux.resources.memory.disableOOMKiller: not supported on cgroup v2";
  bad[3].r.has_network = bad[3].r.network.has_class_id = true;
  bad[3].r.network.class_id = 7;
  bad[3].want = "linux.resources.network.classID: not supported on this host (the net_cls "
                "controller is cgroup v1 only)";
  bad[4].r.has_cpu = bad[4].r.cpu.has_realtime_runtime = true;
  bad[4].r.cpu.realtime_runtime = 1000;
  bad[4].want = "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2";
  bad[5].r.has_block_io = bad[5].r.block_io.has_leaf_weight = true;
  bad[5].r.block_io.leaf_weight = 100;
  bad[5].want = "(no error)";
  for (int i = 0; i < 6; i++) {
    s = apply_err(m, &bad[i].r);
    CHECK_STREQ(s, bad[i].want);
    free(s);
  }
  struct spec_hugepage_limit hp1g = {"1GB", 0};
  struct spec_resources hr1 = {.hugepage_limits = &hp1g, .n_hugepage_limits = 1};
  CHECK_STREQ(s = apply_err(m, &hr1), "linux.resources.hugepageLimits[0] (1GB): this host has no "
                                      "1GB huge pages (hugetlb.1GB.max does not exist)");
  free(s);

  /* Stats from v2 files. */
  put(dir, "cpu.stat",
      "usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 3\nnr_throttled 1\n"
      "throttled_usec 5\n");
  put(dir, "memory.current", "8192\n");
  put(dir, "memory.peak", "16384\n");
  put(dir, "memory.max", "max\n");
  put(dir, "memory.stat", "anon 4096\nfile 2048\n");
  put(dir, "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
  put(dir, "pids.current", "3\n");
  put(dir, "pids.max", "10\n");
  put(dir, "io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
  put(dir, "hugetlb.2MB.current", "0\n");
  json_t *st = NULL;
  CHECK(cgroup_stats(m, &st, &err) == 0);
  herr_free(&err);
  s = st ? json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  CHECK_CONTAINS(s, "\"kernel\":40000");
  CHECK_CONTAINS(s, "\"total\":100000");
  CHECK_CONTAINS(s, "\"throttled_periods\":1");
  CHECK_CONTAINS(s, "\"throttled_time\":5000");
  CHECK_CONTAINS(s, "\"usage\":{\"failcnt\":2,\"limit\":0,\"max\":16384,\"usage\":8192}");
  CHECK_CONTAINS(s, "\"cache\":2048");
  CHECK_CONTAINS(s, "\"anon\":4096");
  CHECK_CONTAINS(s, "\"pids\":{\"current\":3,\"limit\":10}");
  CHECK_CONTAINS(s, "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":20}");
  CHECK_CONTAINS(s, "\"hugetlb\":{\"2MB\":");
  free(s);
  json_decref(st);

  cgroup_manager_free(m);

  /* A parent with processes of its own gets no controllers (the kernel would
   * make it a thread root): a clear error instead. */
  char *b = xasprintf("%s/b", root), *c2 = xasprintf("%s/b/c2", root);
  mkdir(b, 0755);
  mkdir(c2, 0755);
  put(b, "cgroup.subtree_control", "");
  put(b, "cgroup.procs", "1234\n");
  put(c2, "pids.max", "");
  j = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:i, s:s}]}", "mode", "unified", "path",
                "/b/c2", "hierarchies", "key", "unified", "mount", root, "dir", c2, "v2", 1,
                "created", 0, "controllers", ctrls);
  CHECK(cgroup_manager_from_json(j, "x", &m, &err) == 0);
  json_decref(j);
  struct spec_resources pl = {.has_pids = true, .pids_limit = 5};
  s = apply_err(m, &pl);
  CHECK_CONTAINS(s, "linux.resources.pids.limit: cannot enable the pids controller in ");
  CHECK_CONTAINS(s, "/b: it has processes of its own");
  free(s);
  char *bsc = NULL;
  cg_read(b, "cgroup.subtree_control", &bsc, &err);
  CHECK_STREQ(bsc, "");
  free(bsc);
  cgroup_manager_free(m);
  free(b);
  free(c2);

  /* A failed create removes every directory it made, in every hierarchy. */
  char *h1 = xasprintf("%s/h1m", root), *h2 = xasprintf("%s/h2m", root);
  mkdir(h1, 0755);
  mkdir(h2, 0755);
  put(h2, "file", "");
  char *d1 = xasprintf("%s/x/y", h1), *d2 = xasprintf("%s/file/z", h2);
  j = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:i}, {s:s, s:s, s:s, s:b, s:i}]}", "mode",
                "legacy", "path", "/x/y", "hierarchies", "key", "pids", "mount", h1, "dir", d1,
                "v2", 0, "created", 0, "key", "memory", "mount", h2, "dir", d2, "v2", 0, "created",
                0);
  CHECK(cgroup_manager_from_json(j, "x", &m, &err) == 0);
  json_decref(j);
  CHECK(cgroup_create(m, CGROUP_BEFORE_CLONE, 0, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "cgroup: create ");
  herr_free(&err);
  char *x = xasprintf("%s/x", h1);
  CHECK(access(x, F_OK) < 0);
  free(x);
  free(d1);
  free(d2);
  free(h1);
  free(h2);
  cgroup_manager_free(m);

  char *cmd = xasprintf("rm -rf '%s'", root);
  CHECK(system(cmd) == 0);
  free(cmd);
  free(a);
  return check_done();
}
