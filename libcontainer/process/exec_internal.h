/* Between the two halves of `hutch exec` (exec.c: the runtime side,
 * exec_child.c: the process that joins the container).  Not a public
 * interface. */
#ifndef HUTCH_EXEC_INTERNAL_H
#define HUTCH_EXEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "libcontainer/process/exec_process.h"

struct cgroup_manager;
struct seccomp_bpf;

/* The child talks to the runtime over a SOCK_SEQPACKET socketpair in the
 * one protocol of sync.h: SYNC_PTY (the pty master), SYNC_SECCOMP (the
 * notify fd) / SYNC_SECCOMP_ACK, SYNC_ERROR.  EOF (the child's end is
 * close-on-exec) means the execve succeeded. */

struct exec_child {
  const struct spec *spec;      /* the container's config (linux.personality, memoryPolicy) */
  struct spec_process *proc;    /* the process to run (user names resolved in the child) */
  const struct exec_process *x; /* user/group names to resolve */
  const struct exec_opts *o;
  pid_t init_pid; /* host pid of the container init */
  /* The cgroup, entered first.  v1 directories: "0" into `tasks`, which moves
   * the (single-threaded) caller without the cgroup_threadgroup_rwsem write
   * lock and its RCU grace period that `cgroup.procs` costs (milliseconds);
   * the cgroup2 directory: clone3(CLONE_INTO_CGROUP) places the child, else
   * "0" into cgroup.procs.  All empty when the entry is deferred. */
  char **v1_dirs;
  size_t n_v1_dirs;
  const char *unified_dir; /* NULL: none, or placed by clone3 */
  char **cg_dirs;          /* --cgroup: directories to move into afterwards */
  size_t n_cg_dirs;
  int sync_fd;
  int pidfd;                         /* the init's pidfd, -1 when the kernel has none */
  unsigned long ns_flags;            /* CLONE_NEW* to join (the pid namespace is already ours) */
  bool join_user;                    /* CLONE_NEWUSER is among them */
  int console_fd;                    /* --console-socket connection, or -1 */
  bool pty_to_parent;                /* terminal without a console socket: master to the runtime */
  const struct seccomp_bpf *seccomp; /* compiled by the runtime, NULL when none */
  bool seccomp_notify;               /* it has SCMP_ACT_NOTIFY rules */
  const int *stdio;                  /* NULL, or the stdio relay's ends for 0, 1, 2 (-1: keep) */
};

/* Runs in the forked child; never returns. */
__attribute__((noreturn)) void exec_child_main(struct exec_child *ch);

#endif
