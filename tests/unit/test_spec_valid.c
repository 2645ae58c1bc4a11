/* spec_parse on valid configs: the output of `runc spec` / `crun spec`
 * (with and without --rootless), hutch's own default, and a config that uses
 * every field of spec.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "spec/spec.h"

static struct spec *load(const char *name)
{
  char path[4096];
  snprintf(path, sizeof(path), "%s/configs/valid/%s", TEST_DATA_DIR, name);
  struct spec *s = NULL;
  herr_t err = NULL;
  int r = spec_load_file(path, &s, &err);
  CHECK_MSG(r == 0, err ? err->msg : name);
  herr_free(&err);
  return s;
}

static struct spec *parse_text(const char *json, const char *what)
{
  struct spec *s = NULL;
  herr_t err = NULL;
  int r = spec_parse(json, strlen(json), "config.json", &s, &err);
  CHECK_MSG(r == 0, err ? err->msg : what);
  herr_free(&err);
  return s;
}

static bool has_str(char **v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return true;
  return false;
}

static const struct spec_mount *find_mount(const struct spec *s, const char *dst)
{
  for (size_t i = 0; i < s->n_mounts; i++)
    if (strcmp(s->mounts[i].destination, dst) == 0)
      return &s->mounts[i];
  return NULL;
}

/* What runc/crun/hutch all agree on in their default configs. */
static void check_common_default(const struct spec *s, bool rootless)
{
  CHECK(s->has_root);
  CHECK_STREQ(s->root.path, "rootfs");
  CHECK(s->root.readonly);
  CHECK(s->has_process);
  CHECK(s->process.terminal);
  CHECK(s->process.n_args == 1);
  CHECK_STREQ(s->process.args[0], "sh");
  CHECK_STREQ(s->process.cwd, "/");
  CHECK(s->process.user.uid == 0 && s->process.user.gid == 0);
  CHECK(s->process.no_new_privileges);
  CHECK(s->process.has_capabilities);
  CHECK(s->process.capabilities.has_bounding && s->process.capabilities.n_bounding == 3);
  CHECK(has_str(s->process.capabilities.bounding, s->process.capabilities.n_bounding,
                "CAP_NET_BIND_SERVICE"));
  CHECK(s->process.n_rlimits == 1);
  CHECK(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
        s->process.rlimits[0].soft == 1024 && s->process.rlimits[0].hard == 1024);
  CHECK(s->process.n_env == 2);
  const struct spec_mount *proc = find_mount(s, "/proc");
  CHECK(proc && proc->type && strcmp(proc->type, "proc") == 0);
  const struct spec_mount *pts = find_mount(s, "/dev/pts");
  CHECK(pts && pts->n_options >= 5);
  CHECK(pts && has_str(pts->options, pts->n_options, "newinstance"));
  CHECK(pts && has_str(pts->options, pts->n_options, "gid=5") == !rootless);
  CHECK(s->has_linux);
  CHECK(spec_find_ns(s, SPEC_NS_PID) != NULL);
  CHECK(spec_find_ns(s, SPEC_NS_MOUNT) != NULL);
  CHECK(spec_find_ns(s, SPEC_NS_IPC) != NULL);
  CHECK(spec_find_ns(s, SPEC_NS_UTS) != NULL);
  CHECK((spec_find_ns(s, SPEC_NS_USER) != NULL) == rootless);
  CHECK(spec_find_ns(s, SPEC_NS_CGROUP) == NULL);
  CHECK(s->linux_.has_masked_paths && s->linux_.n_masked_paths >= 10);
  CHECK(has_str(s->linux_.masked_paths, s->linux_.n_masked_paths, "/proc/kcore"));
  CHECK(s->linux_.has_readonly_paths && s->linux_.n_readonly_paths == 5);
  CHECK(has_str(s->linux_.readonly_paths, s->linux_.n_readonly_paths, "/proc/sys"));
  CHECK(!s->linux_.has_seccomp);
  CHECK(s->n_annotations == 0 && spec_annotation(s, "x") == NULL);
  const struct spec_mount *sys = find_mount(s, "/sys");
  CHECK(sys && has_str(sys->options, sys->n_options, "ro"));
}

static void test_runc(void)
{
  struct spec *s = load("runc-spec.json");
  if (!s)
    return;
  check_common_default(s, false);
  CHECK_STREQ(s->oci_version, "1.0.2-dev");
  CHECK_STREQ(s->hostname, "runc");
  CHECK(spec_find_ns(s, SPEC_NS_NETWORK) != NULL);
  CHECK(spec_find_ns(s, SPEC_NS_NETWORK)->path == NULL);
  CHECK(s->n_mounts == 7);
  CHECK(s->linux_.has_resources && s->linux_.resources.n_devices == 1);
  CHECK(!s->linux_.resources.devices[0].allow);
  CHECK(s->linux_.resources.devices[0].type == 'a');
  CHECK_STREQ(s->linux_.resources.devices[0].access, "rwm");
  CHECK(!s->process.capabilities.has_inheritable);
  spec_free(s);
}

static void test_runc_rootless(void)
{
  struct spec *s = load("runc-spec-rootless.json");
  if (!s)
    return;
  check_common_default(s, true);
  CHECK(spec_find_ns(s, SPEC_NS_NETWORK) == NULL);
  CHECK(s->linux_.n_uid_mappings == 1 && s->linux_.uid_mappings[0].size == 1);
  CHECK(s->linux_.n_gid_mappings == 1 && s->linux_.gid_mappings[0].container_id == 0);
  CHECK(!s->linux_.has_resources);
  const struct spec_mount *sys = find_mount(s, "/sys");
  CHECK(sys && has_str(sys->options, sys->n_options, "rbind"));
  spec_free(s);
}

static void test_crun(void)
{
  struct spec *s = load("crun-spec.json");
  if (!s)
    return;
  check_common_default(s, false);
  CHECK_STREQ(s->oci_version, "1.0.0");
  CHECK_STREQ(s->hostname, "crun");
  /* crun writes an empty inheritable set: present and empty. */
  CHECK(s->process.capabilities.has_inheritable && s->process.capabilities.n_inheritable == 0);
  spec_free(s);
  s = load("crun-spec-rootless.json");
  if (!s)
    return;
  check_common_default(s, true);
  /* crun leaves the mappings to the runtime. */
  CHECK(s->linux_.n_uid_mappings == 0);
  CHECK(spec_find_ns(s, SPEC_NS_NETWORK) != NULL);
  spec_free(s);
}

static void test_default(int rootless)
{
  char *json = spec_default_json(rootless);
  CHECK(json != NULL);
  if (!json)
    return;
  struct spec *s = parse_text(json, rootless ? "default rootless" : "default");
  free(json);
  if (!s)
    return;
  check_common_default(s, rootless);
  CHECK_STREQ(s->oci_version, "1.3.0");
  CHECK_STREQ(s->hostname, "hutch");
  /* Ambient caps without inheritable cannot be raised: hutch spec leaves them out. */
  CHECK(!s->process.capabilities.has_ambient);
  CHECK((spec_find_ns(s, SPEC_NS_NETWORK) != NULL) == !rootless);
  if (rootless) {
    CHECK(s->linux_.n_uid_mappings == 1 && s->linux_.uid_mappings[0].host_id == getuid() &&
          s->linux_.uid_mappings[0].container_id == 0 && s->linux_.uid_mappings[0].size == 1);
    CHECK(s->linux_.n_gid_mappings == 1 && s->linux_.gid_mappings[0].host_id == getgid());
    CHECK(find_mount(s, "/sys/fs/cgroup") == NULL);
    CHECK(!s->linux_.has_resources);
  } else {
    CHECK(s->n_mounts == 7);
    CHECK(find_mount(s, "/sys/fs/cgroup") != NULL);
    CHECK(s->linux_.has_resources && s->linux_.resources.n_devices == 1 &&
          !s->linux_.resources.devices[0].allow);
    CHECK(s->linux_.n_uid_mappings == 0);
  }
  spec_free(s);
}

static void test_full(void)
{
  struct spec *s = load("full.json");
  if (!s)
    return;
  CHECK_STREQ(s->oci_version, "1.3.0-rc.1+build.5");
  CHECK_STREQ(s->root.path, "/var/lib/rootfs");
  CHECK(!s->root.readonly);
  CHECK(s->n_mounts == 2);
  /* A relative destination (deprecated) is taken relative to "/". */
  CHECK_STREQ(s->mounts[1].destination, "/data");
  CHECK_STREQ(s->mounts[1].source, "/srv/data");
  CHECK(s->mounts[1].n_options == 2);
  CHECK(s->mounts[1].n_uid_mappings == 1 && s->mounts[1].uid_mappings[0].size == 65536);
  CHECK(s->mounts[0].options == NULL && s->mounts[0].n_options == 0);

  const struct spec_process *p = &s->process;
  CHECK(!p->terminal);
  CHECK(p->has_console_size && p->console_height == 24 && p->console_width == 80);
  CHECK(p->user.uid == 1000 && p->user.gid == 1000);
  CHECK(p->user.has_umask && p->user.umask == 18);
  CHECK(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 2147483647u);
  CHECK_STREQ(p->user.username, "u");
  CHECK(p->n_args == 3);
  CHECK_STREQ(p->args[2], "echo hi");
  CHECK_STREQ(p->command_line, "ignored on linux");
  CHECK(p->n_env == 2);
  CHECK_STREQ(p->env[1], "EMPTY=");
  CHECK_STREQ(p->cwd, "/home/u");
  CHECK(p->capabilities.n_bounding == 4);
  CHECK_STREQ(p->capabilities.bounding[1], "CAP_KILL");
  CHECK_STREQ(p->capabilities.bounding[2], "CAP_SYS_ADMIN");
  CHECK_STREQ(p->capabilities.bounding[3], "CAP_CHECKPOINT_RESTORE");
  CHECK(p->capabilities.has_effective && p->capabilities.n_effective == 0);
  CHECK(!p->capabilities.has_ambient && p->capabilities.ambient == NULL);
  CHECK(p->n_rlimits == 3);
  CHECK(p->rlimits[1].resource == RLIMIT_CORE);
  CHECK(p->rlimits[1].soft == UINT64_MAX && p->rlimits[1].hard == UINT64_MAX);
  CHECK(p->rlimits[2].soft == (uint64_t)INT64_MAX && p->rlimits[2].hard == (uint64_t)INT64_MAX + 1);
  CHECK(p->no_new_privileges);
  CHECK_STREQ(p->apparmor_profile, "hutch-default");
  CHECK(p->has_oom_score_adj && p->oom_score_adj == -1000);
  CHECK_STREQ(p->selinux_label, "system_u:system_r:container_t:s0");
  CHECK(p->has_scheduler);
  CHECK_STREQ(p->scheduler.policy, "SCHED_DEADLINE");
  CHECK(p->scheduler.has_nice && p->scheduler.nice == -5);
  CHECK(p->scheduler.has_priority && p->scheduler.priority == 0);
  CHECK(p->scheduler.n_flags == 1);
  CHECK(p->scheduler.has_runtime && p->scheduler.runtime == 10000000);
  CHECK(p->scheduler.has_deadline && p->scheduler.deadline == 20000000);
  CHECK(p->scheduler.has_period && p->scheduler.period == 30000000);
  CHECK(p->has_io_priority && p->io_priority.priority == 4);
  CHECK_STREQ(p->io_priority.klass, "IOPRIO_CLASS_BE");
  CHECK_STREQ(p->exec_cpu_affinity_initial, "0-1");
  CHECK_STREQ(p->exec_cpu_affinity_final, "0,2");

  CHECK_STREQ(s->hostname, "full");
  CHECK_STREQ(s->domainname, "example.org");
  CHECK(s->hooks.n_hooks[SPEC_HOOK_PRESTART] == 1);
  CHECK(s->hooks.n_hooks[SPEC_HOOK_CREATE_RUNTIME] == 1);
  const struct spec_hook *h = &s->hooks.hooks[SPEC_HOOK_CREATE_RUNTIME][0];
  CHECK(h->has_timeout && h->timeout == 5 && h->n_args == 2 && h->n_env == 1);
  CHECK(!s->hooks.hooks[SPEC_HOOK_PRESTART][0].has_timeout);
  CHECK(s->hooks.n_hooks[SPEC_HOOK_CREATE_CONTAINER] == 0);
  CHECK(s->hooks.n_hooks[SPEC_HOOK_START_CONTAINER] == 1);
  CHECK(s->hooks.n_hooks[SPEC_HOOK_POSTSTART] == 2);
  CHECK_STREQ(s->hooks.hooks[SPEC_HOOK_POSTSTART][1].path, "/usr/bin/poststart2");
  CHECK(s->hooks.n_hooks[SPEC_HOOK_POSTSTOP] == 1);
  CHECK(s->n_annotations == 2);
  CHECK_STREQ(spec_annotation(s, "org.example.key"), "value");
  CHECK_STREQ(spec_annotation(s, "com.example.empty"), "");
  CHECK(spec_annotation(s, "org.example") == NULL);

  const struct spec_linux *l = &s->linux_;
  CHECK(l->n_namespaces == 8);
  CHECK(spec_find_ns(s, SPEC_NS_TIME) != NULL);
  CHECK_STREQ(spec_find_ns(s, SPEC_NS_NETWORK)->path, "/var/run/netns/x");
  CHECK(l->n_gid_mappings == 2 && l->gid_mappings[1].host_id == 1000);
  CHECK(l->n_time_offsets == 2);
  CHECK_STREQ(l->time_offsets[0].clock, "monotonic");
  CHECK(l->time_offsets[0].secs == -86400 && l->time_offsets[0].nanosecs == 500);
  CHECK(l->n_devices == 2);
  CHECK(l->devices[0].type == 'c' && l->devices[0].major == 10 && l->devices[0].minor == 229);
  CHECK(l->devices[0].has_file_mode && l->devices[0].file_mode == 0666);
  CHECK(l->devices[0].has_uid && l->devices[0].has_gid);
  CHECK(l->devices[1].type == 'p' && !l->devices[1].has_file_mode);
  CHECK(l->n_net_devices == 2);
  CHECK_STREQ(l->net_devices[0].host_name, "eth1");
  CHECK_STREQ(l->net_devices[0].name, "net0");
  CHECK(l->net_devices[1].name == NULL);
  CHECK_STREQ(l->cgroups_path, "/hutch-test/full");

  const struct spec_resources *r = &l->resources;
  CHECK(l->has_resources && r->n_devices == 3);
  CHECK(r->devices[1].allow && r->devices[1].type == 'c' && r->devices[1].has_major &&
        r->devices[1].major == 10);
  CHECK_STREQ(r->devices[1].access, "rw");
  CHECK(r->devices[2].type == 'b' && r->devices[2].major == -1 && !r->devices[2].has_minor);
  CHECK(r->devices[2].access == NULL);
  CHECK(r->has_memory && r->memory.has_limit && r->memory.limit == 536870912);
  CHECK(r->memory.has_swap && r->memory.swap == -1);
  CHECK(r->memory.has_swappiness && r->memory.swappiness == 0);
  CHECK(r->memory.has_disable_oom_killer && r->memory.disable_oom_killer);
  CHECK(r->memory.has_check_before_update && !r->memory.check_before_update);
  CHECK(r->has_cpu && r->cpu.has_shares && r->cpu.shares == 1024);
  CHECK(r->cpu.has_quota && r->cpu.quota == -1);
  CHECK(r->cpu.has_burst && r->cpu.burst == 1000);
  CHECK(r->cpu.has_realtime_runtime && r->cpu.realtime_runtime == 950000);
  CHECK_STREQ(r->cpu.cpus, "0-1");
  CHECK(r->cpu.has_idle && r->cpu.idle == 1);
  CHECK(r->has_pids && r->pids_limit == 100);
  CHECK(r->has_block_io && r->block_io.has_weight && r->block_io.weight == 500);
  CHECK(r->block_io.n_weight_device == 2 && r->block_io.weight_device[0].has_weight &&
        !r->block_io.weight_device[0].has_leaf_weight);
  CHECK(r->block_io.weight_device[1].has_leaf_weight &&
        r->block_io.weight_device[1].leaf_weight == 10);
  CHECK(r->block_io.n_throttle_read_bps == 1 && r->block_io.throttle_read_bps[0].rate == 1048576);
  CHECK(r->block_io.n_throttle_write_iops == 2 && r->block_io.throttle_write_iops[1].minor == 16);
  CHECK(r->n_hugepage_limits == 1);
  CHECK_STREQ(r->hugepage_limits[0].page_size, "2MB");
  CHECK(r->has_network && r->network.has_class_id && r->network.class_id == 1048577);
  CHECK(r->network.n_priorities == 1 && r->network.priorities[0].priority == 500);
  CHECK(r->n_rdma == 1 && r->rdma[0].has_hca_handles && r->rdma[0].hca_objects == 10000);
  CHECK_STREQ(r->rdma[0].device, "mlx5_1");
  CHECK(r->n_unified == 2);
  CHECK_STREQ(r->unified[1].key, "io.weight");
  CHECK_STREQ(r->unified[1].value, "default 100");

  CHECK(l->has_intel_rdt);
  CHECK_STREQ(l->intel_rdt.clos_id, "guaranteed_group");
  CHECK(l->intel_rdt.n_schemata == 1 && l->intel_rdt.enable_monitoring && l->intel_rdt.enable_cmt &&
        !l->intel_rdt.enable_mbm);
  CHECK(l->n_sysctl == 2);
  CHECK_STREQ(l->sysctl[0].key, "net.ipv4.ip_forward");

  const struct spec_seccomp *sc = &l->seccomp;
  CHECK(l->has_seccomp);
  CHECK_STREQ(sc->default_action, "SCMP_ACT_ERRNO");
  CHECK(sc->has_default_errno_ret && sc->default_errno_ret == 1);
  CHECK(sc->n_architectures == 3 && sc->n_flags == 1);
  CHECK_STREQ(sc->listener_path, "/run/seccomp-agent.socket");
  CHECK_STREQ(sc->listener_metadata, "meta");
  CHECK(sc->n_syscalls == 4);
  CHECK(sc->syscalls[0].n_names == 2 && !sc->syscalls[0].has_errno_ret);
  CHECK(sc->syscalls[1].n_args == 2);
  CHECK(sc->syscalls[1].args[1].index == 1 && sc->syscalls[1].args[1].value == UINT64_MAX);
  CHECK(sc->syscalls[1].args[1].has_value_two && sc->syscalls[1].args[1].value_two == 4);
  CHECK(!sc->syscalls[1].args[0].has_value_two);
  CHECK_STREQ(sc->syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
  CHECK(sc->syscalls[3].has_errno_ret && sc->syscalls[3].errno_ret == 38);

  CHECK_STREQ(l->rootfs_propagation, "rslave");
  CHECK(l->has_masked_paths && l->n_masked_paths == 1);
  CHECK(l->has_readonly_paths && l->n_readonly_paths == 0);
  CHECK_STREQ(l->mount_label, "system_u:object_r:container_file_t:s0");
  CHECK(l->has_personality);
  CHECK_STREQ(l->personality.domain, "LINUX32");
  CHECK(l->has_memory_policy);
  CHECK_STREQ(l->memory_policy.mode, "MPOL_INTERLEAVE");
  CHECK_STREQ(l->memory_policy.nodes, "0-1");
  CHECK(l->memory_policy.n_flags == 1);
  spec_free(s);
}

/* Minimal documents: absent optional sections stay absent. */
static void test_minimal(void)
{
  struct spec *s =
      parse_text("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}}", "minimal");
  if (!s)
    return;
  CHECK(!s->has_process && !s->has_linux && s->n_mounts == 0 && s->hostname == NULL);
  CHECK(spec_find_ns(s, SPEC_NS_PID) == NULL);
  spec_free(s);
  /* JSON null counts as absent (as Go's encoding/json treats it). */
  s = parse_text("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"mounts\": null, "
                 "\"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"env\": null, \"user\": "
                 "{\"uid\": 0, \"gid\": 0, \"umask\": null}}, \"linux\": {\"resources\": "
                 "{\"pids\": {}}}}",
                 "nulls");
  if (!s)
    return;
  CHECK(s->has_process && s->process.n_env == 0 && !s->process.user.has_umask);
  CHECK(s->mounts == NULL);
  /* pids present without limit: unlimited */
  CHECK(s->linux_.resources.has_pids && s->linux_.resources.pids_limit == -1);
  spec_free(s);
}

/* Unknown properties are ignored at every level (runtime-spec requires it). */
static void test_unknown_properties(void)
{
  const char *json = "{\"ociVersion\": \"1.3.0\", \"zzz\": [1, {\"a\": null}], "
                     "\"root\": {\"path\": \"rootfs\", \"futureField\": {\"x\": 1}}, "
                     "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"newThing\": 42, "
                     "\"user\": {\"uid\": 1, \"gid\": 2, \"shell\": \"/bin/sh\"}, "
                     "\"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"frobnicate\": 1}}, "
                     "\"mounts\": [{\"destination\": \"/x\", \"future\": true}], "
                     "\"linux\": {\"namespaces\": [{\"type\": \"pid\", \"flags\": 3}], "
                     "\"resources\": {\"memory\": {\"limit\": 1, \"newKnob\": \"v\"}, "
                     "\"newController\": {}}, \"seccomp\": {\"defaultAction\": "
                     "\"SCMP_ACT_ALLOW\", \"x\": 1}, \"futureSection\": []}, "
                     "\"solaris\": {\"milestone\": \"x\"}}";
  struct spec *s = parse_text(json, "unknown properties");
  if (!s)
    return;
  CHECK(s->process.user.uid == 1 && s->process.user.gid == 2);
  CHECK(s->process.capabilities.n_bounding == 1);
  CHECK(s->linux_.resources.memory.has_limit && s->linux_.resources.memory.limit == 1);
  CHECK(spec_find_ns(s, SPEC_NS_PID) != NULL);
  spec_free(s);
}

static void test_process_json(void)
{
  const char *json = "{\"terminal\": true, \"user\": {\"uid\": 5, \"gid\": 6}, \"args\": "
                     "[\"ls\", \"-l\"], \"env\": [\"A=b\"], \"cwd\": \"/tmp\", "
                     "\"capabilities\": {\"bounding\": [\"CAP_KILL\"]}, \"rlimits\": [{\"type\": "
                     "\"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20}], \"noNewPrivileges\": true}";
  struct spec_process *p = NULL;
  herr_t err = NULL;
  CHECK(spec_parse_process(json, strlen(json), "process.json", &p, &err) == 0);
  herr_free(&err);
  if (!p)
    return;
  CHECK(p->terminal && p->user.uid == 5 && p->user.gid == 6 && p->n_args == 2);
  CHECK_STREQ(p->cwd, "/tmp");
  CHECK(p->n_rlimits == 1 && p->rlimits[0].hard == 20);
  spec_process_free(p);

  /* spec_process_clear on an embedded struct. */
  struct spec *s = load("runc-spec.json");
  if (s) {
    spec_process_clear(&s->process);
    CHECK(s->process.args == NULL && s->process.n_args == 0 && s->process.cwd == NULL);
    spec_free(s);
  }
  spec_process_free(NULL);
  spec_free(NULL);
}

static void test_load_errors(void)
{
  struct spec *s = NULL;
  herr_t err = NULL;
  CHECK(spec_load_file("/nonexistent/hutch-test/config.json", &s, &err) < 0);
  CHECK(s == NULL);
  CHECK_STREQ(err ? err->msg : NULL,
              "/nonexistent/hutch-test/config.json: No such file or directory");
  CHECK(err && err->errnum == ENOENT);
  herr_free(&err);
  struct spec_process *p = NULL;
  CHECK(spec_load_process_file("/nonexistent/hutch-test/process.json", &p, &err) < 0);
  CHECK(p == NULL && err != NULL);
  herr_free(&err);
  /* Errors name the file's basename. */
  char path[4096];
  snprintf(path, sizeof(path), "%s/configs/invalid/ns-unknown.json", TEST_DATA_DIR);
  CHECK(spec_load_file(path, &s, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "ns-unknown.json: linux.namespaces[2].type: unknown namespace \"pidd\"");
  herr_free(&err);
}

/* The features document is valid JSON with the runtime-spec schema. */
static void test_features(void)
{
  char *text = spec_features_json(NULL);
  CHECK(text != NULL);
  json_error_t jerr;
  json_t *f = text ? json_loads(text, 0, &jerr) : NULL;
  free(text);
  CHECK(f != NULL);
  if (!f)
    return;
  CHECK_STREQ(json_string_value(json_object_get(f, "ociVersionMin")), "1.0.0");
  CHECK_STREQ(json_string_value(json_object_get(f, "ociVersionMax")), "1.3.0");
  CHECK(json_array_size(json_object_get(f, "hooks")) == SPEC_HOOK_KINDS);
  CHECK(json_array_size(json_object_get(f, "mountOptions")) > 40);
  json_t *l = json_object_get(f, "linux");
  CHECK(json_array_size(json_object_get(l, "namespaces")) == SPEC_NS_TYPES);
  json_t *caps = json_object_get(l, "capabilities");
  CHECK(json_array_size(caps) == (size_t)spec_cap_last() + 1);
  CHECK_STREQ(json_string_value(json_array_get(caps, 40)), "CAP_CHECKPOINT_RESTORE");
  json_t *cg = json_object_get(l, "cgroup");
  CHECK(json_is_boolean(json_object_get(cg, "v1")) && json_is_boolean(json_object_get(cg, "v2")));
  CHECK(json_is_true(json_object_get(cg, "systemd")));
  json_t *sc = json_object_get(l, "seccomp");
  CHECK(json_is_boolean(json_object_get(sc, "enabled")));
  CHECK(json_array_size(json_object_get(sc, "actions")) == 9);
  CHECK(json_array_size(json_object_get(sc, "operators")) == 7);
  CHECK(json_array_size(json_object_get(sc, "knownFlags")) == 4);
  CHECK(json_array_size(json_object_get(sc, "supportedFlags")) <=
        json_array_size(json_object_get(sc, "knownFlags")));
  CHECK(json_array_size(json_object_get(sc, "archs")) > 10);
  /* The build applies both (lsm.c); whether this host has them is another matter. */
  CHECK(json_is_true(json_object_get(json_object_get(l, "apparmor"), "enabled")));
  CHECK(json_is_true(json_object_get(json_object_get(l, "selinux"), "enabled")));
  CHECK(json_is_false(json_object_get(json_object_get(l, "intelRdt"), "enabled")));
  CHECK(json_is_boolean(
      json_object_get(json_object_get(json_object_get(l, "mountExtensions"), "idmap"), "enabled")));
  json_decref(f);
}

/* podman passes the host device's whole st_mode as fileMode. */
static void test_device_mode_with_type_bits(void)
{
  const char *json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                     "\"linux\":{\"devices\":[{\"path\":\"/dev/null\",\"type\":\"c\","
                     "\"major\":1,\"minor\":3,\"fileMode\":8612},{\"path\":\"/dev/loop0\","
                     "\"type\":\"b\",\"major\":7,\"minor\":0,\"fileMode\":25008}]}}";
  struct spec *s = parse_text(json, "device modes with file-type bits");
  if (!s)
    return;
  CHECK(s->linux_.n_devices == 2);
  CHECK(s->linux_.devices[0].has_file_mode && s->linux_.devices[0].file_mode == 0644);
  CHECK(s->linux_.devices[1].file_mode == 0660);
  spec_free(s);
}

int main(void)
{
  test_device_mode_with_type_bits();
  test_features();
  test_runc();
  test_runc_rootless();
  test_crun();
  test_default(0);
  test_default(1);
  test_full();
  test_minimal();
  test_unknown_properties();
  test_process_json();
  test_load_errors();
  return check_done();
}
