/* The runtime-spec vocabularies hutch implements, each defined exactly once
 * here as an X-macro list and expanded wherever it is needed: the parser's
 * name checks (spec/names.c), the code that acts on them
 * (libcontainer/rootfs/mount_options.c, libcontainer/security/seccomp.c)
 * and the `features` document (spec/features.c).  Adding an entry here makes
 * it parsed, applied and reported; nothing else keeps a copy.
 *
 * Namespaces, capabilities, hooks and rlimits are single tables in
 * spec/names.c behind the spec_ns_* / spec_cap_* functions of spec.h. */
#ifndef HUTCH_SPEC_VOCAB_H
#define HUTCH_SPEC_VOCAB_H

#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

/* How a mounts[].options entry acts (anything not listed is filesystem data,
 * "mode=755", "size=64k", ...). */
enum spec_mount_opt_kind {
  SPEC_MOPT_FLAG,        /* an MS_* flag of mount(2), set or (clear) cleared */
  SPEC_MOPT_PROPAGATION, /* MS_SHARED/MS_PRIVATE/... (| MS_REC), applied in order */
  SPEC_MOPT_RECURSIVE,   /* a MOUNT_ATTR_* set or cleared with mount_setattr(AT_RECURSIVE) */
  SPEC_MOPT_IDMAP,       /* idmapped mount (value 1: recursive, "ridmap") */
  SPEC_MOPT_TMPCOPYUP,   /* tmpfs starts with a copy of what it covers (value 0: off) */
};

/* X(name, kind, clear, value): runc's option table (libcontainer/specconv)
 * plus the idmap and tmpcopyup extensions runc and crun accept. */
#define SPEC_MOUNT_OPTIONS(X)                                                                      \
  X("async", SPEC_MOPT_FLAG, 1, MS_SYNCHRONOUS)                                                    \
  X("atime", SPEC_MOPT_FLAG, 1, MS_NOATIME)                                                        \
  X("bind", SPEC_MOPT_FLAG, 0, MS_BIND)                                                            \
  X("defaults", SPEC_MOPT_FLAG, 0, 0)                                                              \
  X("dev", SPEC_MOPT_FLAG, 1, MS_NODEV)                                                            \
  X("diratime", SPEC_MOPT_FLAG, 1, MS_NODIRATIME)                                                  \
  X("dirsync", SPEC_MOPT_FLAG, 0, MS_DIRSYNC)                                                      \
  X("exec", SPEC_MOPT_FLAG, 1, MS_NOEXEC)                                                          \
  X("iversion", SPEC_MOPT_FLAG, 0, MS_I_VERSION)                                                   \
  X("lazytime", SPEC_MOPT_FLAG, 0, MS_LAZYTIME)                                                    \
  X("loud", SPEC_MOPT_FLAG, 1, MS_SILENT)                                                          \
  X("mand", SPEC_MOPT_FLAG, 0, MS_MANDLOCK)                                                        \
  X("noatime", SPEC_MOPT_FLAG, 0, MS_NOATIME)                                                      \
  X("nodev", SPEC_MOPT_FLAG, 0, MS_NODEV)                                                          \
  X("nodiratime", SPEC_MOPT_FLAG, 0, MS_NODIRATIME)                                                \
  X("noexec", SPEC_MOPT_FLAG, 0, MS_NOEXEC)                                                        \
  X("noiversion", SPEC_MOPT_FLAG, 1, MS_I_VERSION)                                                 \
  X("nolazytime", SPEC_MOPT_FLAG, 1, MS_LAZYTIME)                                                  \
  X("nomand", SPEC_MOPT_FLAG, 1, MS_MANDLOCK)                                                      \
  X("norelatime", SPEC_MOPT_FLAG, 1, MS_RELATIME)                                                  \
  X("nostrictatime", SPEC_MOPT_FLAG, 1, MS_STRICTATIME)                                            \
  X("nosuid", SPEC_MOPT_FLAG, 0, MS_NOSUID)                                                        \
  X("nosymfollow", SPEC_MOPT_FLAG, 0, MS_NOSYMFOLLOW)                                              \
  X("rbind", SPEC_MOPT_FLAG, 0, MS_BIND | MS_REC)                                                  \
  X("relatime", SPEC_MOPT_FLAG, 0, MS_RELATIME)                                                    \
  X("remount", SPEC_MOPT_FLAG, 0, MS_REMOUNT)                                                      \
  X("ro", SPEC_MOPT_FLAG, 0, MS_RDONLY)                                                            \
  X("rw", SPEC_MOPT_FLAG, 1, MS_RDONLY)                                                            \
  X("silent", SPEC_MOPT_FLAG, 0, MS_SILENT)                                                        \
  X("strictatime", SPEC_MOPT_FLAG, 0, MS_STRICTATIME)                                              \
  X("suid", SPEC_MOPT_FLAG, 1, MS_NOSUID)                                                          \
  X("sync", SPEC_MOPT_FLAG, 0, MS_SYNCHRONOUS)                                                     \
  X("symfollow", SPEC_MOPT_FLAG, 1, MS_NOSYMFOLLOW)                                                \
  X("private", SPEC_MOPT_PROPAGATION, 0, MS_PRIVATE)                                               \
  X("rprivate", SPEC_MOPT_PROPAGATION, 0, MS_PRIVATE | MS_REC)                                     \
  X("shared", SPEC_MOPT_PROPAGATION, 0, MS_SHARED)                                                 \
  X("rshared", SPEC_MOPT_PROPAGATION, 0, MS_SHARED | MS_REC)                                       \
  X("slave", SPEC_MOPT_PROPAGATION, 0, MS_SLAVE)                                                   \
  X("rslave", SPEC_MOPT_PROPAGATION, 0, MS_SLAVE | MS_REC)                                         \
  X("unbindable", SPEC_MOPT_PROPAGATION, 0, MS_UNBINDABLE)                                         \
  X("runbindable", SPEC_MOPT_PROPAGATION, 0, MS_UNBINDABLE | MS_REC)                               \
  X("rro", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_RDONLY)                                              \
  X("rrw", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_RDONLY)                                              \
  X("rnosuid", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_NOSUID)                                          \
  X("rsuid", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_NOSUID)                                            \
  X("rnodev", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_NODEV)                                            \
  X("rdev", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_NODEV)                                              \
  X("rnoexec", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_NOEXEC)                                          \
  X("rexec", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_NOEXEC)                                            \
  X("rnodiratime", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_NODIRATIME)                                  \
  X("rdiratime", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_NODIRATIME)                                    \
  X("rrelatime", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_RELATIME)                                      \
  X("rnorelatime", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_RELATIME)                                    \
  X("rnoatime", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_NOATIME)                                        \
  X("ratime", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_NOATIME)                                          \
  X("rstrictatime", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_STRICTATIME)                                \
  X("rnostrictatime", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_STRICTATIME)                              \
  X("rnosymfollow", SPEC_MOPT_RECURSIVE, 0, MOUNT_ATTR_NOSYMFOLLOW)                                \
  X("rsymfollow", SPEC_MOPT_RECURSIVE, 1, MOUNT_ATTR_NOSYMFOLLOW)                                  \
  X("idmap", SPEC_MOPT_IDMAP, 0, 0)                                                                \
  X("ridmap", SPEC_MOPT_IDMAP, 0, 1)                                                               \
  X("tmpcopyup", SPEC_MOPT_TMPCOPYUP, 0, 1)                                                        \
  X("notmpcopyup", SPEC_MOPT_TMPCOPYUP, 0, 0)

/* linux.seccomp.flags: X(name, SECCOMP_FILTER_FLAG_* value).  hutch loads
 * the program with seccomp(2) itself, so every flag works whatever the
 * libseccomp version: known and supported are the same list. */
#define SPEC_SECCOMP_FLAGS(X)                                                                      \
  X("SECCOMP_FILTER_FLAG_TSYNC", 1UL << 0)                                                         \
  X("SECCOMP_FILTER_FLAG_LOG", 1UL << 1)                                                           \
  X("SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1UL << 2)                                                    \
  X("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1UL << 5)

/* Seccomp actions: X(name, enum spec_seccomp_action, takes errnoRet).
 * SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD, as in runc. */
enum spec_seccomp_action {
  SPEC_SCMP_ACT_KILL_THREAD,
  SPEC_SCMP_ACT_KILL_PROCESS,
  SPEC_SCMP_ACT_TRAP,
  SPEC_SCMP_ACT_ERRNO,
  SPEC_SCMP_ACT_TRACE,
  SPEC_SCMP_ACT_ALLOW,
  SPEC_SCMP_ACT_LOG,
  SPEC_SCMP_ACT_NOTIFY,
};
#define SPEC_SECCOMP_ACTIONS(X)                                                                    \
  X("SCMP_ACT_KILL", SPEC_SCMP_ACT_KILL_THREAD, 0)                                                 \
  X("SCMP_ACT_KILL_PROCESS", SPEC_SCMP_ACT_KILL_PROCESS, 0)                                        \
  X("SCMP_ACT_KILL_THREAD", SPEC_SCMP_ACT_KILL_THREAD, 0)                                          \
  X("SCMP_ACT_TRAP", SPEC_SCMP_ACT_TRAP, 0)                                                        \
  X("SCMP_ACT_ERRNO", SPEC_SCMP_ACT_ERRNO, 1)                                                      \
  X("SCMP_ACT_TRACE", SPEC_SCMP_ACT_TRACE, 1)                                                      \
  X("SCMP_ACT_ALLOW", SPEC_SCMP_ACT_ALLOW, 0)                                                      \
  X("SCMP_ACT_LOG", SPEC_SCMP_ACT_LOG, 0)                                                          \
  X("SCMP_ACT_NOTIFY", SPEC_SCMP_ACT_NOTIFY, 0)

/* Seccomp argument operators: X(name, libseccomp's enum scmp_compare value,
 * a stable part of its ABI: seccomp.c checks it at compile time). */
#define SPEC_SECCOMP_OPERATORS(X)                                                                  \
  X("SCMP_CMP_NE", 1)                                                                              \
  X("SCMP_CMP_LT", 2)                                                                              \
  X("SCMP_CMP_LE", 3)                                                                              \
  X("SCMP_CMP_EQ", 4)                                                                              \
  X("SCMP_CMP_GE", 5)                                                                              \
  X("SCMP_CMP_GT", 6)                                                                              \
  X("SCMP_CMP_MASKED_EQ", 7)

#endif
