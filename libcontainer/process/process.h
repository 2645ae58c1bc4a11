/* The user process, set up by the init after `hutch start`: rlimits, user
 * and groups, capabilities and LSM labels (security.h), umask, cwd, env,
 * fds, seccomp, then execve. */
#ifndef HUTCH_PROCESS_H
#define HUTCH_PROCESS_H

#include <stdbool.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct seccomp_bpf;

/* The process hutch execs, described once: the init fills it for the
 * container's process, the exec child for the one `hutch exec` runs, and
 * process_exec() sets the process up from it alone. */
struct process_desc {
  /* args, env, cwd, user (uid, gid, additionalGids, umask), rlimits,
   * capabilities, apparmorProfile/selinuxLabel, noNewPrivileges. */
  const struct spec_process *proc;
  const struct spec_personality *personality;     /* linux.personality, NULL: none */
  const struct spec_memory_policy *memory_policy; /* linux.memoryPolicy, NULL: none */
  const struct seccomp_bpf *seccomp;              /* compiled linux.seccomp, NULL: none */
  bool seccomp_loaded; /* already loaded (a notify filter: process_load_notify_seccomp) */
  int n_preserved;     /* fds 3 .. 3+n_preserved-1 reach the process, the rest do not */
  int listen_fds;      /* LISTEN_FDS (and LISTEN_PID) to set, 0: none */
  /* stdio: NULL, or the foreground stdio relay's pipes on 0, 1, 2 (-1: the
   * caller's fd); stdio_given: the caller handed its stdio over (create,
   * run -d, exec -d).  Which of 0, 1, 2 go to the process's user. */
  const int *stdio;
  bool stdio_given;
  /* The startContainer hooks of this config run last, right before execve,
   * with the process's credentials and restrictions already applied (user,
   * groups, capabilities, no_new_privs, seccomp, LSM labels), as runc: their
   * binaries come from the container's filesystem.  start_state (the state,
   * status "created") is their stdin.  NULL: none (exec). */
  const struct spec *start_hooks;
  const char *start_state;
};

/* proc with the container-wide parts of spec (linux.personality,
 * linux.memoryPolicy) and the compiled seccomp program; no fds kept. */
void process_desc_init(struct process_desc *d, const struct spec *spec,
                       const struct spec_process *proc, const struct seccomp_bpf *seccomp);

/* Before `ready` (inside the container root): enter process.cwd (made
 * first, root-owned, when make_cwd: `create` does, as runc; `exec` does not,
 * so a missing --cwd is an error), and resolve args[0] in the PATH of process.env.  Errors read
 * like runc's: exec: "nosuch": executable file not found in $PATH */
int process_prepare(const struct spec_process *p, bool make_cwd, char **exe, herr_t *err);
/* A filter with SCMP_ACT_NOTIFY is loaded before the process is started,
 * while hutch can still hand its fd to linux.seccomp.listenerPath: sent as
 * SYNC_SECCOMP over sync_fd, then SYNC_SECCOMP_ACK awaited.  It then also
 * covers the rest of the setup (as with runc without noNewPrivileges), so the
 * listener must be serving.  Sets d->seccomp_loaded. */
int process_load_notify_seccomp(struct process_desc *d, int sync_fd, herr_t *err);
/* After `start`: everything up to execve (the startContainer hooks last,
 * see start_hooks).  Returns only on failure. */
int process_exec(const struct process_desc *d, const char *exe, herr_t *err);
/* Close every fd >= from except those in keep[] (n of them, -1 entries ignored). */
void close_fds_except(int from, const int *keep, size_t n);

#endif
