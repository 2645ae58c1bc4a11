/* Pure parts of the cgroup manager: path rules, host text parsing,
 * conversions, the eBPF device program, state JSON. No host access. */
#include <linux/bpf.h>
#include <stdlib.h>

#include "check.h"
#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

static char *norm(const char *p, const char *id)
{
  char *out = NULL;
  herr_t err = NULL;
  if (cg_normalize_path(p, id, &out, &err) < 0) {
    char *m = xasprintf("ERR %s", err->msg);
    herr_free(&err);
    return m;
  }
  return out;
}

static void test_normalize(void)
{
  char *s;
  CHECK_STREQ(s = norm(NULL, "c1"), "/c1");
  free(s);
  CHECK_STREQ(s = norm("", "c1"), "/c1");
  free(s);
  CHECK_STREQ(s = norm("/a/b", "c1"), "/a/b");
  free(s);
  CHECK_STREQ(s = norm("//a///b/", "c1"), "/a/b");
  free(s);
  CHECK_STREQ(s = norm("a/./b", "c1"), "a/b");
  free(s);
  CHECK_STREQ(s = norm("a", "c1"), "a");
  free(s);
  s = norm("system.slice:hutch:c1", "c1");
  CHECK_CONTAINS(s, "ERR linux.cgroupsPath \"system.slice:hutch:c1\"");
  CHECK_CONTAINS(s, "--systemd-cgroup");
  free(s);
  s = norm("/a/../../etc", "c1");
  CHECK_CONTAINS(s, "ERR linux.cgroupsPath");
  CHECK_CONTAINS(s, "\"..\" is not allowed");
  free(s);
  s = norm("/", "c1");
  CHECK_CONTAINS(s, "ERR linux.cgroupsPath \"/\"");
  free(s);
}

static void test_resolve(void)
{
  char *s;
  CHECK_STREQ(s = cg_resolve_dir("/sys/fs/cgroup/memory", "/", "/user/x", "/a/b"),
              "/sys/fs/cgroup/memory/a/b");
  free(s);
  CHECK_STREQ(s = cg_resolve_dir("/sys/fs/cgroup/memory", "/", "/user/x", "a/b"),
              "/sys/fs/cgroup/memory/user/x/a/b");
  free(s);
  CHECK_STREQ(s = cg_resolve_dir("/sys/fs/cgroup/unified", "/", "/", "a"),
              "/sys/fs/cgroup/unified/a");
  free(s);
  CHECK_STREQ(s = cg_resolve_dir("/sys/fs/cgroup", "/", "/", "/c1"), "/sys/fs/cgroup/c1");
  free(s);
  /* A mount of a sub-tree (inside a container): paths are relative to its root. */
  CHECK_STREQ(s = cg_resolve_dir("/sys/fs/cgroup", "/ctr", "/ctr/init", "x"),
              "/sys/fs/cgroup/init/x");
  free(s);
  CHECK_STREQ(s = cg_resolve_dir("/sys/fs/cgroup", "/ctr", "/ctr", "/ctr/y"), "/sys/fs/cgroup/y");
  free(s);
}

static const char proc_cgroup[] = "12:cpu,cpuacct:/user.slice\n"
                                  "9:name=systemd:/user.slice/session-1.scope\n"
                                  "4:memory:/process_api/abc\n"
                                  "0::/unified/path\n";

static void test_own_path(void)
{
  char *s;
  CHECK_STREQ(s = cg_own_path(proc_cgroup, "memory"), "/process_api/abc");
  free(s);
  CHECK_STREQ(s = cg_own_path(proc_cgroup, "cpu,cpuacct"), "/user.slice");
  free(s);
  CHECK_STREQ(s = cg_own_path(proc_cgroup, "name=systemd"), "/user.slice/session-1.scope");
  free(s);
  CHECK_STREQ(s = cg_own_path(proc_cgroup, "unified"), "/unified/path");
  free(s);
  CHECK(cg_own_path(proc_cgroup, "pids") == NULL);
  CHECK(cg_key_has("cpu,cpuacct", "cpuacct"));
  CHECK(!cg_key_has("cpu,cpuacct", "cpuset"));
  CHECK(cg_word_in("cpuset cpu io memory\n", "memory"));
  CHECK(!cg_word_in("cpuset cpu io memory\n", "mem"));
}

static const char mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:5 - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "90 41 0:38 / /mnt/other\\040dir rw,relatime - cgroup2 cgroup2 rw\n"
    "91 31 0:39 /sub /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";

static void test_mounts(void)
{
  struct cg_mount *m;
  size_t n;
  herr_t err = NULL;
  CHECK(cg_parse_mounts(mountinfo, &m, &n, &err) == 0);
  CHECK(n == 5);
  if (n == 5) {
    CHECK_STREQ(m[0].key, "cpu,cpuacct");
    CHECK_STREQ(m[0].mnt, "/sys/fs/cgroup/cpu,cpuacct");
    CHECK_STREQ(m[1].key, "memory");
    CHECK_STREQ(m[2].key, "name=systemd");
    CHECK_STREQ(m[3].key, "unified");
    CHECK(m[3].v2);
    CHECK_STREQ(m[3].mnt, "/sys/fs/cgroup/unified");
    CHECK_STREQ(m[4].key, "pids");
    CHECK_STREQ(m[4].root, "/sub");
  }
  cg_mounts_free(m, n);
}

static void test_conversions(void)
{
  /* runc's ConvertCPUSharesToCgroupV2Value */
  CHECK(cg_shares_to_weight(0) == 0);
  CHECK(cg_shares_to_weight(2) == 1);
  CHECK(cg_shares_to_weight(1024) == 39);
  CHECK(cg_shares_to_weight(262144) == 10000);
  CHECK(cg_shares_to_weight(500000) == 10000);
  /* runc's ConvertBlkIOToIOWeightValue */
  CHECK(cg_blkio_to_io_weight(10) == 1);
  CHECK(cg_blkio_to_io_weight(500) == 4950);
  CHECK(cg_blkio_to_io_weight(1000) == 10000);
  int64_t v;
  herr_t err = NULL;
  CHECK(cg_swap_v2(-1, 100, true, &v, &err) == 0 && v == -1);
  CHECK(cg_swap_v2(0, -1, true, &v, &err) == 0 && v == -1);
  CHECK(cg_swap_v2(0, 100, true, &v, &err) == 0 && v == -2);
  CHECK(cg_swap_v2(300, 100, true, &v, &err) == 0 && v == 200);
  CHECK(cg_swap_v2(100, 100, true, &v, &err) == 0 && v == 0);
  CHECK(cg_swap_v2(50, 100, true, &v, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "linux.resources.memory.swap");
  herr_free(&err);
  CHECK(cg_swap_v2(50, 0, false, &v, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "needs a memory limit");
  herr_free(&err);
  char *s = NULL;
  CHECK(cgroup_hugepage_name("2MB", &s, &err) == 0);
  CHECK_STREQ(s, "2MB");
  free(s);
  CHECK(cgroup_hugepage_name("1gB", &s, &err) == 0);
  CHECK_STREQ(s, "1GB");
  free(s);
  CHECK(cgroup_hugepage_name("2XB", &s, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "linux.resources.hugepageLimits: pageSize \"2XB\"");
  herr_free(&err);
}

/* Run the generated program on one access in a tiny interpreter of just the
 * instructions it uses, so the rule logic is tested without the kernel. */
static int run(const struct bpf_insn *p, size_t n, int type, int acc, int major, int minor)
{
  uint64_t r[11] = {0};
  uint32_t ctx[3] = {(uint32_t)((acc << 16) | type), (uint32_t)major, (uint32_t)minor};
  for (size_t pc = 0; pc < n; pc++) {
    const struct bpf_insn *i = &p[pc];
    switch (i->code) {
    case BPF_LDX | BPF_MEM | BPF_W:
      r[i->dst_reg] = ctx[i->off / 4];
      break;
    case BPF_ALU | BPF_AND | BPF_K:
      r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm);
      break;
    case BPF_ALU | BPF_RSH | BPF_K:
      r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
      break;
    case BPF_ALU | BPF_MOV | BPF_X:
      r[i->dst_reg] = (uint32_t)r[i->src_reg];
      break;
    case BPF_ALU64 | BPF_MOV | BPF_K:
      r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
      break;
    case BPF_JMP | BPF_JNE | BPF_K:
      if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
        pc += i->off;
      break;
    case BPF_JMP | BPF_EXIT:
      return (int)r[0];
    default:
      return -1;
    }
  }
  return -2;
}

static void test_bpf(void)
{
  struct spec_device_cgroup rules[] = {
      {.allow = false, .type = 'a'},
      {.allow = true, .type = 'c', .has_major = true, .major = 4, .access = "r"},
      {.allow = false, .type = 'c', .has_major = true, .major = 4, .has_minor = true, .minor = 2},
  };
  struct bpf_insn *p;
  size_t n;
  herr_t err = NULL;
  CHECK(cg_bpf_devices_program(rules, 3, &p, &n, &err) == 0);
  const int C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
  const int R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;
  CHECK(run(p, n, C, R, 4, 1) == 1);     /* allowed read */
  CHECK(run(p, n, C, R | W, 4, 1) == 0); /* write not allowed */
  CHECK(run(p, n, C, R, 4, 2) == 0);     /* the later deny wins */
  CHECK(run(p, n, C, R | W, 1, 3) == 1); /* default /dev/null */
  CHECK(run(p, n, C, R, 1, 4) == 0);     /* default deny */
  CHECK(run(p, n, B, M, 7, 7) == 1);     /* mknod of anything */
  CHECK(run(p, n, B, R, 7, 7) == 0);
  CHECK(run(p, n, B, R | W, 8, 0) == 0); /* only the rules and the defaults allow */
  CHECK(run(p, n, C, R | W, 5, 1) == 0); /* the host's console is not a default (runc) */
  CHECK(run(p, n, C, R | W, 5, 0) == 1); /* /dev/tty is */
  CHECK(run(p, n, C, R | W, 136, 5) == 1);
  free(p);
  /* An allow-all rule last: everything allowed. */
  struct spec_device_cgroup all[] = {{.allow = false, .type = 'a'},
                                     {.allow = true, .type = 'a', .access = "rwm"}};
  CHECK(cg_bpf_devices_program(all, 2, &p, &n, &err) == 0);
  CHECK(run(p, n, C, R | W, 10, 10) == 1);
  free(p);
  /* No rules at all: deny by default (runc), defaults still allowed. */
  CHECK(cg_bpf_devices_program(NULL, 0, &p, &n, &err) == 0);
  CHECK(run(p, n, C, R, 10, 10) == 0);
  CHECK(run(p, n, C, R, 1, 9) == 1);
  free(p);
}

static void test_json(void)
{
  const char *txt = "{\"mode\":\"hybrid\",\"path\":\"/x\",\"hierarchies\":["
                    "{\"key\":\"memory\",\"mount\":\"/m\",\"dir\":\"/m/x\",\"v2\":false,"
                    "\"created\":1},"
                    "{\"key\":\"unified\",\"mount\":\"/u\",\"dir\":\"/u/x\",\"v2\":true,"
                    "\"created\":2,\"controllers\":\"hugetlb\"}],"
                    "\"devices\":[{\"type\":\"c\",\"major\":10,\"minor\":200}]}";
  json_t *j = json_loads(txt, 0, NULL);
  struct cgroup_manager *m = NULL;
  herr_t err = NULL;
  CHECK(cgroup_manager_from_json(j, "x", &m, &err) == 0);
  json_decref(j);
  if (!m)
    return;
  CHECK_STREQ(cgroup_mode_name(m), "hybrid");
  CHECK_STREQ(cgroup_dir(m, "memory"), "/m/x");
  CHECK_STREQ(cgroup_dir(m, "hugetlb"), "/u/x");
  CHECK_STREQ(cgroup_dir(m, ""), "/u/x");
  CHECK(cgroup_dir(m, "cpu") == NULL);
  CHECK(cgroup_clone_into_fd(m) == -1);
  json_t *back = cgroup_manager_to_json(m);
  char *s = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
  CHECK_CONTAINS(s, "\"created\":2");
  /* The "devices" list older versions wrote (linux.devices allowed on top of
   * the rules) is read without error and dropped. */
  CHECK(strstr(s, "devices") == NULL);
  CHECK_CONTAINS(s, "\"mode\":\"hybrid\"");
  free(s);
  json_decref(back);
  cgroup_manager_free(m);
  j = json_loads("{\"mode\":\"x\"}", 0, NULL);
  CHECK(cgroup_manager_from_json(j, "x", &m, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "malformed cgroup state");
  herr_free(&err);
  json_decref(j);
}

int main(void)
{
  test_normalize();
  test_resolve();
  test_own_path();
  test_mounts();
  test_conversions();
  test_bpf();
  test_json();
  return check_done();
}
