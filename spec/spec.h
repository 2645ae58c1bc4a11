/* The OCI runtime-spec 1.3 config.json as C structs.
 *
 * Conventions: arrays are `T *x; size_t n_x;`; optional scalars carry a
 * `has_x` flag; absent strings are NULL; string maps are `struct spec_kv *x;
 * size_t n_x;` in document order.  Everything is owned by the struct and
 * released by spec_free().  Field names follow the JSON names. */
#ifndef HUTCH_SPEC_H
#define HUTCH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/base/error.h"

/* The largest user or group id hutch accepts (process.user, additionalGids,
 * id mappings, exec --user).  The kernel reads (uid_t)-1 = 4294967295 as "no
 * change" (setresuid(-1) keeps root), so ids above INT32_MAX are refused, as
 * runc does. */
#define SPEC_ID_MAX 2147483647

struct spec_kv {
  char *key;
  char *value;
};

struct spec_id_mapping {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct spec_root {
  char *path;
  bool readonly;
};

struct spec_mount {
  char *destination;
  char *source;
  char *type;
  char **options;
  size_t n_options;
  struct spec_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct spec_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct spec_rlimit {
  char *type;   /* "RLIMIT_NOFILE" */
  int resource; /* RLIMIT_* value, resolved by the parser */
  uint64_t soft;
  uint64_t hard;
};

struct spec_capabilities {
  /* Each set is NULL when absent (distinct from present-and-empty). */
  char **bounding;
  size_t n_bounding;
  bool has_bounding;
  char **effective;
  size_t n_effective;
  bool has_effective;
  char **inheritable;
  size_t n_inheritable;
  bool has_inheritable;
  char **permitted;
  size_t n_permitted;
  bool has_permitted;
  char **ambient;
  size_t n_ambient;
  bool has_ambient;
};

struct spec_user {
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username; /* windows only; kept for completeness */
};

struct spec_scheduler {
  char *policy; /* SCHED_OTHER, SCHED_FIFO, ... */
  bool has_nice;
  int32_t nice;
  bool has_priority;
  int32_t priority;
  char **flags; /* SCHED_FLAG_* */
  size_t n_flags;
  bool has_runtime;
  uint64_t runtime;
  bool has_deadline;
  uint64_t deadline;
  bool has_period;
  uint64_t period;
};

struct spec_io_priority {
  char *klass; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
  int32_t priority;
};

struct spec_process {
  bool terminal;
  bool has_console_size;
  uint32_t console_height;
  uint32_t console_width;
  struct spec_user user;
  char **args;
  size_t n_args;
  char *command_line; /* windows */
  char **env;
  size_t n_env;
  char *cwd;
  bool has_capabilities;
  struct spec_capabilities capabilities;
  struct spec_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  char *selinux_label;
  bool has_scheduler;
  struct spec_scheduler scheduler;
  bool has_io_priority;
  struct spec_io_priority io_priority;
  char *exec_cpu_affinity_initial;
  char *exec_cpu_affinity_final;
};

struct spec_hook {
  char *path;
  char **args;
  size_t n_args;
  char **env;
  size_t n_env;
  bool has_timeout;
  int32_t timeout; /* seconds, > 0 */
};

enum spec_hook_kind {
  SPEC_HOOK_PRESTART,
  SPEC_HOOK_CREATE_RUNTIME,
  SPEC_HOOK_CREATE_CONTAINER,
  SPEC_HOOK_START_CONTAINER,
  SPEC_HOOK_POSTSTART,
  SPEC_HOOK_POSTSTOP,
  SPEC_HOOK_KINDS
};

struct spec_hooks {
  struct spec_hook *hooks[SPEC_HOOK_KINDS];
  size_t n_hooks[SPEC_HOOK_KINDS];
};

/* Namespace types, in the order runc lists them. */
enum spec_ns_type {
  SPEC_NS_PID,
  SPEC_NS_NETWORK,
  SPEC_NS_MOUNT,
  SPEC_NS_IPC,
  SPEC_NS_UTS,
  SPEC_NS_USER,
  SPEC_NS_CGROUP,
  SPEC_NS_TIME,
  SPEC_NS_TYPES
};

struct spec_namespace {
  enum spec_ns_type type;
  char *path; /* NULL: create a new one */
};

struct spec_time_offset {
  char *clock; /* "monotonic" or "boottime" */
  int64_t secs;
  uint32_t nanosecs;
};

struct spec_device {
  char *path;
  char type; /* 'c', 'b', 'u', 'p' */
  int64_t major;
  int64_t minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct spec_device_cgroup {
  bool allow;
  char type; /* 'a', 'c', 'b'; 'a' also when absent */
  bool has_major;
  int64_t major;
  bool has_minor;
  int64_t minor;
  char *access; /* "rwm" subset, NULL when absent (= all) */
};

struct spec_memory {
  bool has_limit;
  int64_t limit;
  bool has_reservation;
  int64_t reservation;
  bool has_swap;
  int64_t swap;
  bool has_kernel;
  int64_t kernel;
  bool has_kernel_tcp;
  int64_t kernel_tcp;
  bool has_swappiness;
  uint64_t swappiness;
  bool has_disable_oom_killer;
  bool disable_oom_killer;
  bool has_use_hierarchy;
  bool use_hierarchy;
  bool has_check_before_update;
  bool check_before_update;
};

struct spec_cpu {
  bool has_shares;
  uint64_t shares;
  bool has_quota;
  int64_t quota;
  bool has_burst;
  uint64_t burst;
  bool has_period;
  uint64_t period;
  bool has_realtime_runtime;
  int64_t realtime_runtime;
  bool has_realtime_period;
  uint64_t realtime_period;
  char *cpus;
  char *mems;
  bool has_idle;
  int64_t idle;
};

struct spec_weight_device {
  int64_t major;
  int64_t minor;
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
};

struct spec_throttle_device {
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct spec_block_io {
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
  struct spec_weight_device *weight_device;
  size_t n_weight_device;
  struct spec_throttle_device *throttle_read_bps;
  size_t n_throttle_read_bps;
  struct spec_throttle_device *throttle_write_bps;
  size_t n_throttle_write_bps;
  struct spec_throttle_device *throttle_read_iops;
  size_t n_throttle_read_iops;
  struct spec_throttle_device *throttle_write_iops;
  size_t n_throttle_write_iops;
};

struct spec_hugepage_limit {
  char *page_size; /* "2MB", "1GB", "2MB.rsvd" is not valid: see rsvd below */
  uint64_t limit;
};

struct spec_net_priority {
  char *name;
  uint32_t priority;
};

struct spec_network {
  bool has_class_id;
  uint32_t class_id;
  struct spec_net_priority *priorities;
  size_t n_priorities;
};

struct spec_rdma {
  char *device;
  bool has_hca_handles;
  uint32_t hca_handles;
  bool has_hca_objects;
  uint32_t hca_objects;
};

struct spec_resources {
  struct spec_device_cgroup *devices;
  size_t n_devices;
  bool has_memory;
  struct spec_memory memory;
  bool has_cpu;
  struct spec_cpu cpu;
  bool has_pids;
  int64_t pids_limit;
  bool has_block_io;
  struct spec_block_io block_io;
  struct spec_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  bool has_network;
  struct spec_network network;
  struct spec_rdma *rdma;
  size_t n_rdma;
  struct spec_kv *unified;
  size_t n_unified;
};

struct spec_intel_rdt {
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  char **schemata;
  size_t n_schemata;
  bool enable_monitoring;
  bool enable_cmt;
  bool enable_mbm;
};

struct spec_seccomp_arg {
  uint32_t index;
  uint64_t value;
  bool has_value_two;
  uint64_t value_two;
  char *op; /* SCMP_CMP_NE, ... */
};

struct spec_seccomp_syscall {
  char **names;
  size_t n_names;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct spec_seccomp_arg *args;
  size_t n_args;
};

struct spec_seccomp {
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  size_t n_architectures;
  char **flags;
  size_t n_flags;
  char *listener_path;
  char *listener_metadata;
  struct spec_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct spec_personality {
  char *domain; /* LINUX or LINUX32 */
  char **flags;
  size_t n_flags;
};

struct spec_memory_policy {
  char *mode; /* MPOL_DEFAULT, MPOL_BIND, ... */
  char *nodes;
  char **flags;
  size_t n_flags;
};

struct spec_net_device {
  char *host_name; /* the key of linux.netDevices */
  char *name;      /* name inside the container; NULL: same as host_name */
};

struct spec_linux {
  struct spec_namespace *namespaces;
  size_t n_namespaces;
  struct spec_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct spec_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  struct spec_time_offset *time_offsets;
  size_t n_time_offsets;
  struct spec_device *devices;
  size_t n_devices;
  struct spec_net_device *net_devices;
  size_t n_net_devices;
  char *cgroups_path;
  bool has_resources;
  struct spec_resources resources;
  bool has_intel_rdt;
  struct spec_intel_rdt intel_rdt;
  struct spec_kv *sysctl;
  size_t n_sysctl;
  bool has_seccomp;
  struct spec_seccomp seccomp;
  char *rootfs_propagation;
  char **masked_paths;
  size_t n_masked_paths;
  bool has_masked_paths;
  char **readonly_paths;
  size_t n_readonly_paths;
  bool has_readonly_paths;
  char *mount_label;
  bool has_personality;
  struct spec_personality personality;
  bool has_memory_policy;
  struct spec_memory_policy memory_policy;
};

struct spec {
  char *oci_version;
  bool has_root;
  struct spec_root root;
  struct spec_mount *mounts;
  size_t n_mounts;
  bool has_process;
  struct spec_process process;
  char *hostname;
  char *domainname;
  struct spec_hooks hooks;
  struct spec_kv *annotations;
  size_t n_annotations;
  bool has_linux;
  struct spec_linux linux_;
};

/* ---- parsing ---------------------------------------------------------- */

/* Parse and validate a config document.  `fname` ("config.json") prefixes
 * every error: "config.json: linux.namespaces[2].type: unknown namespace \"pidd\"".
 * Malformed JSON: "config.json: line 3, column 7: <jansson's text>". */
int spec_parse(const char *json, size_t len, const char *fname, struct spec **out, herr_t *err);
/* Read and parse a file; errors are prefixed with the file's basename. */
int spec_load_file(const char *path, struct spec **out, herr_t *err);
/* Parse a process.json (exec --process); same validation as config.process. */
int spec_parse_process(const char *json, size_t len, const char *fname, struct spec_process **out,
                       herr_t *err);
/* path may be a pipe or fifo (`exec -p <(...)`): read up to 4 MiB. */
int spec_load_process_file(const char *path, struct spec_process **out, herr_t *err);
void spec_free(struct spec *s);
void spec_process_free(struct spec_process *p);
/* Free the members of an embedded process (not the struct itself). */
void spec_process_clear(struct spec_process *p);

/* ---- names ------------------------------------------------------------ */

const char *spec_ns_name(enum spec_ns_type t);      /* "pid", "network", ... */
int spec_ns_from_name(const char *name);            /* -1 if unknown */
int spec_ns_clone_flag(enum spec_ns_type t);        /* CLONE_NEWPID, ... */
const char *spec_ns_proc_name(enum spec_ns_type t); /* "pid", "net", "mnt", ... */
const char *spec_hook_name(enum spec_hook_kind k);  /* "prestart", ... */
/* "KILL", "SIGKILL", "9" -> 9.  Returns -1 if unknown. */
int spec_signal_from_name(const char *name);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE. Returns -1 if unknown. */
int spec_rlimit_from_name(const char *name);
/* "CAP_SYS_ADMIN" -> 21. Returns -1 if unknown. */
int spec_cap_from_name(const char *name);
const char *spec_cap_name(int cap);
int spec_cap_last(void); /* highest capability number hutch knows */

/* Find a namespace entry in linux.namespaces, NULL if absent. */
const struct spec_namespace *spec_find_ns(const struct spec *s, enum spec_ns_type t);
/* Look up an annotation value, NULL if absent. */
const char *spec_annotation(const struct spec *s, const char *key);

/* ---- writing ---------------------------------------------------------- */

/* The default config.json that `hutch spec` writes (like `runc spec`),
 * pretty-printed JSON, malloc'd.  rootless: user namespace + mappings for
 * the calling user and no network namespace, as `runc spec --rootless`. */
char *spec_default_json(int rootless);
/* What only the runtime can tell about the build (cmd/features.c fills it
 * from libcontainer): seccomp architectures its libseccomp resolves. */
struct spec_features_build {
  bool (*seccomp_arch_supported)(const char *name); /* NULL: every known one */
  /* checkpoint/restore work here (criu installed, `criu check` passes):
   * annotation org.hutch.checkpoint.enabled "true" (else "false"). */
  bool checkpoint;
};
/* The features document (runtime-spec features.md), malloc'd JSON text. */
char *spec_features_json(const struct spec_features_build *b);

#endif
