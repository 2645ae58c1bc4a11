/* The lifecycle operations behind the create/start/run/kill/delete
 * commands (see docs/ARCHITECTURE.md for the process model). */
#ifndef HUTCH_LIFECYCLE_H
#define HUTCH_LIFECYCLE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "libcontainer/container/container.h"
#include "libcontainer/utils/rootless.h"
#include "spec/base/error.h"

struct cgroup_driver;

struct create_opts {
  const char *root; /* --root */
  /* --rootless: resolved only where it matters (a cgroup hutch may not
   * make), so that root pays nothing for it. */
  enum rootless_mode rootless_mode;
  bool rootless; /* --rootless true, or auto with euid != 0 (uid 0 in a user namespace: later) */
  /* The cgroup driver (cgroup_driver_select); NULL: cgroupfs. */
  const struct cgroup_driver *cgroup_driver;
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *console_socket; /* NULL: none */
  const char *pid_file;       /* NULL: none; relative to the cwd */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds; /* --preserve-fds */
  bool foreground;  /* `run` without --detach */
  /* `run`: container_start follows in this process, so the init waits on
   * the sync socket (no start.sock: fewer files and syscalls per run). */
  bool start_in_process;
  /* `run` in the foreground: when process.terminal is set and there is no
   * console socket, the pty master is received here (else left alone). */
  int *console_master;
  /* `run` in the foreground: without process.terminal, the caller's fds the
   * process could not reopen are relayed through pipes set up here
   * (stdio_relay.h); the caller starts and finishes the relay. */
  struct stdio_relay *stdio_relay;
};

/* Create the container: state dir, cgroup, the init (waiting on start.sock
 * once everything is set up), state.json and the pid file.  On failure
 * nothing is left behind.  *out is the locked container. */
int container_create(const struct create_opts *o, struct container **out, herr_t *err);
/* Let the init of a created container exec the user process, then run the
 * poststart hooks.  c must be locked. */
int container_start(struct container *c, herr_t *err);
/* Send sig to the init (all: to every process of its cgroup). */
int container_kill(struct container *c, int sig, bool all, herr_t *err);
/* Remove a stopped (or created) container; force kills a running one. c must
 * be locked. */
int container_delete(struct container *c, bool force, herr_t *err);
/* Its first half: kill what is left (force) and remove the cgroup as delete
 * does; the state dir stays.  c must be locked. */
int container_delete_cgroup(struct container *c, bool force, herr_t *err);
/* A container without a cgroup (rootless, not delegated; nocgroup.c):
 * "container ID has no cgroup hutch can VERB (...)", returns -1. */
int container_no_cgroup(const struct container *c, const char *verb, herr_t *err);
/* Its processes: those in the init's pid namespace, when the init is pid 1
 * of one of its own (else the no-cgroup error). */
int container_pidns_pids(struct container *c, pid_t **pids, size_t *n, herr_t *err);
/* kill --all: SIGKILL to the init of its own pid namespace kills them all;
 * any other signal, or no such namespace: the no-cgroup error. */
int container_pidns_signal_all(struct container *c, int sig, herr_t *err);
/* Wait (polling a pidfd) until the init is gone. */
int container_wait_gone(struct container *c, herr_t *err);

/* The OCI state document with an explicit status (used for hooks). */
json_t *container_state_object(struct container *c, enum container_status s);
char *container_state_json_status(struct container *c, enum container_status s);

#endif
