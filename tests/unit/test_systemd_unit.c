/* --systemd-cgroup: unit names and cgroup paths from linux.cgroupsPath, as
 * runc forms them, and the one-line errors for paths not in that form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "libcontainer/cgroups/systemd/properties.h"
#include "libcontainer/cgroups/systemd/unit.h"

static void ok(const char *path, const char *id, const char *slice, const char *unit,
               const char *cg)
{
  struct sd_unit u;
  herr_t err = NULL;
  CHECK_MSG(sd_unit_parse(path, id, "system.slice", &u, &err) == 0, path ? path : "(none)");
  CHECK_STREQ(u.slice, slice);
  CHECK_STREQ(u.unit, unit);
  CHECK_STREQ(u.path, cg);
  sd_unit_clear(&u);
  herr_free(&err);
}

static void bad(const char *path, const char *msg)
{
  struct sd_unit u;
  herr_t err = NULL;
  CHECK_MSG(sd_unit_parse(path, "c1", "system.slice", &u, &err) < 0, path);
  CHECK_STREQ(err ? err->msg : NULL, msg);
  herr_free(&err);
}

static void test_resources(void)
{
  struct spec_resources r = {0};
  r.has_memory = true;
  r.memory.has_limit = true;
  r.memory.limit = 64 << 20;
  r.memory.has_swap = true;
  r.memory.swap = 96 << 20;
  r.memory.has_reservation = true;
  r.memory.reservation = 32 << 20;
  r.has_cpu = true;
  r.cpu.has_shares = true;
  r.cpu.shares = 1024;
  r.cpu.has_quota = true;
  r.cpu.quota = 50000;
  r.cpu.has_period = true;
  r.cpu.period = 100000;
  r.cpu.cpus = "0-2,9";
  r.has_pids = true;
  r.pids_limit = 100;
  struct sd_props p = {0};
  herr_t err = NULL;
  CHECK(sd_props_from_resources(&r, &p, &err) == 0);
  const struct sd_prop *e;
  CHECK((e = sd_props_find(&p, "MemoryMax")) && e->v.u64 == 64 << 20);
  CHECK((e = sd_props_find(&p, "MemorySwapMax")) && e->v.u64 == 32 << 20);
  CHECK((e = sd_props_find(&p, "MemoryLow")) && e->v.u64 == 32 << 20);
  CHECK((e = sd_props_find(&p, "CPUWeight")) && e->v.u64 == 39); /* runc: 1024 shares -> 39 */
  CHECK((e = sd_props_find(&p, "CPUQuotaPerSecUSec")) && e->v.u64 == 500000);
  CHECK((e = sd_props_find(&p, "CPUQuotaPeriodUSec")) && e->v.u64 == 100000);
  CHECK((e = sd_props_find(&p, "AllowedCPUs")) && e->n == 2 && e->bytes[0] == 0x07 &&
        e->bytes[1] == 0x02);
  CHECK((e = sd_props_find(&p, "TasksMax")) && e->v.u64 == 100);
  sd_props_clear(&p);
  r.memory.limit = -1;
  r.memory.swap = -1;
  r.cpu.quota = 33333; /* 333330 us/s rounds up to 10 ms steps */
  r.pids_limit = -1;
  r.cpu.cpus = "3-1";
  CHECK(sd_props_from_resources(&r, &p, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "linux.resources.cpu.cpus: \"3-1\" is not a CPU or node list (like \"0-2,4\")");
  herr_free(&err);
  sd_props_clear(&p);
  r.cpu.cpus = NULL;
  CHECK(sd_props_from_resources(&r, &p, &err) == 0);
  CHECK((e = sd_props_find(&p, "MemoryMax")) && e->v.u64 == UINT64_MAX);
  CHECK((e = sd_props_find(&p, "MemorySwapMax")) && e->v.u64 == UINT64_MAX);
  CHECK((e = sd_props_find(&p, "CPUQuotaPerSecUSec")) && e->v.u64 == 340000);
  CHECK((e = sd_props_find(&p, "TasksMax")) && e->v.u64 == UINT64_MAX);
  sd_props_clear(&p);
}

static void test_annotations(void)
{
  struct spec_kv a[] = {
      {"org.systemd.property.TimeoutStopUSec", "uint64 123456789"},
      {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
      {"org.systemd.property.DefaultDependencies", "true"},
      {"org.systemd.property.TimeoutStartSec", "5"},
      {"org.systemd.property.CPUWeight", "@t 77"},
      {"org.systemd.property.Nice", "int32 -5"},
      {"io.kubernetes.other", "ignored"},
  };
  struct sd_props p = {0};
  sd_props_add_u64(&p, "CPUWeight", 39);
  herr_t err = NULL;
  CHECK(sd_props_from_annotations(a, sizeof(a) / sizeof(a[0]), &p, &err) == 0);
  const struct sd_prop *e;
  CHECK((e = sd_props_find(&p, "TimeoutStopUSec")) && e->type == SD_PROP_U64 &&
        e->v.u64 == 123456789);
  CHECK((e = sd_props_find(&p, "CollectMode")) && e->type == SD_PROP_STRING &&
        strcmp(e->s, "inactive-or-failed") == 0);
  CHECK((e = sd_props_find(&p, "DefaultDependencies")) && e->type == SD_PROP_BOOL && e->v.b);
  CHECK((e = sd_props_find(&p, "TimeoutStartUSec")) && e->v.u64 == 5000000);
  CHECK((e = sd_props_find(&p, "CPUWeight")) && e->v.u64 == 77); /* the annotation wins */
  CHECK((e = sd_props_find(&p, "Nice")) && e->type == SD_PROP_I32 && e->v.i64 == -5);
  CHECK(p.n == 6);
  sd_props_clear(&p);
  struct spec_kv bad1[] = {{"org.systemd.property.MemoryMax", "[1, 2]"}};
  CHECK(sd_props_from_annotations(bad1, 1, &p, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "annotations[\"org.systemd.property.MemoryMax\"]: cannot use value \"[1, 2]\" "
              "(use true/false, 'text', a number, or uint64/int64/uint32/int32/double NUMBER)");
  herr_free(&err);
  struct spec_kv bad2[] = {{"org.systemd.property.uint32 x", "1"}};
  CHECK(sd_props_from_annotations(bad2, 1, &p, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "is not a systemd property name");
  herr_free(&err);
  struct spec_kv bad3[] = {{"org.systemd.property.TasksMax", "uint32 -1"}};
  CHECK(sd_props_from_annotations(bad3, 1, &p, &err) < 0);
  herr_free(&err);
  sd_props_clear(&p);
}

/* Rootless: a unit of the user's manager lives below that manager's cgroup. */
static void test_under(void)
{
  struct sd_unit u;
  herr_t err = NULL;
  CHECK(sd_unit_parse("user.slice:libpod:abc", "abc", "user.slice", &u, &err) == 0);
  CHECK(sd_unit_under(&u, "/user.slice/user-1000.slice/user@1000.service", &err) == 0);
  CHECK_STREQ(u.path, "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-abc.scope");
  CHECK_STREQ(u.unit, "libpod-abc.scope");
  CHECK_STREQ(u.slice, "user.slice");
  sd_unit_clear(&u);
  /* The default slice of a user's manager is its user.slice. */
  CHECK(sd_unit_parse(NULL, "c1", "user.slice", &u, &err) == 0);
  CHECK(sd_unit_under(&u, "/user.slice/user-7.slice/user@7.service", &err) == 0);
  CHECK_STREQ(u.path, "/user.slice/user-7.slice/user@7.service/user.slice/hutch-c1.scope");
  sd_unit_clear(&u);
  /* "/" (a manager at the root, in a cgroup namespace) and "" change nothing. */
  CHECK(sd_unit_parse(NULL, "c1", "user.slice", &u, &err) == 0);
  CHECK(sd_unit_under(&u, "/", &err) == 0);
  CHECK(sd_unit_under(&u, "", &err) == 0);
  CHECK_STREQ(u.path, "/user.slice/hutch-c1.scope");
  static const char *const bad_roots[] = {"user.slice", "/a/../b", "/a/", "/a//b", "/a/..", "/./a"};
  for (size_t i = 0; i < sizeof(bad_roots) / sizeof(bad_roots[0]); i++) {
    CHECK_MSG(sd_unit_under(&u, bad_roots[i], &err) < 0, bad_roots[i]);
    CHECK_CONTAINS(err ? err->msg : NULL, "not a plain absolute path");
    herr_free(&err);
  }
  CHECK_STREQ(u.path, "/user.slice/hutch-c1.scope");
  sd_unit_clear(&u);
}

int main(void)
{
  test_under();
  test_resources();
  test_annotations();
  ok("system.slice:libpod:abc", "abc", "system.slice", "libpod-abc.scope",
     "/system.slice/libpod-abc.scope");
  ok(NULL, "c1", "system.slice", "hutch-c1.scope", "/system.slice/hutch-c1.scope");
  ok("", "c1", "system.slice", "hutch-c1.scope", "/system.slice/hutch-c1.scope");
  ok(":cri-containerd:c2", "x", "system.slice", "cri-containerd-c2.scope",
     "/system.slice/cri-containerd-c2.scope");
  ok("machine.slice::c3", "x", "machine.slice", "c3.scope", "/machine.slice/c3.scope");
  ok("kubepods-burstable-pod1.slice:cri-containerd:c4", "x", "kubepods-burstable-pod1.slice",
     "cri-containerd-c4.scope",
     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
     "cri-containerd-c4.scope");
  ok("-.slice:p:c5", "x", "-.slice", "p-c5.scope", "/p-c5.scope");
  ok("machine.slice:p:machine-c6.slice", "x", "machine.slice", "machine-c6.slice",
     "/machine.slice/machine-c6.slice");

  bad("/hutch/c1", "linux.cgroupsPath: \"/hutch/c1\" is not of the form \"slice:prefix:name\" that "
                   "--systemd-cgroup needs");
  bad("a:b", "linux.cgroupsPath: \"a:b\" is not of the form \"slice:prefix:name\" that "
             "--systemd-cgroup needs");
  bad("a.slice:b:c:d", "linux.cgroupsPath: \"a.slice:b:c:d\" is not of the form "
                       "\"slice:prefix:name\" that --systemd-cgroup needs");
  bad("system:p:c", "linux.cgroupsPath: \"system\" is not a slice name (NAME.slice)");
  bad("a--b.slice:p:c",
      "linux.cgroupsPath: \"a--b.slice\": a slice name has no empty part between dashes");
  bad("a/b.slice:p:c", "linux.cgroupsPath: \"a/b.slice\" is not a slice name (NAME.slice)");
  bad("system.slice:p:", "linux.cgroupsPath: \"system.slice:p:\": the name part is empty");
  bad("system.slice:p:c d", "linux.cgroupsPath: \"p-c d.scope\" is not a valid systemd unit name");
  return check_done();
}
