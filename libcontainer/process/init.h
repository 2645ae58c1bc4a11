/* The container init: the process `hutch create` clones.  It sets up the
 * container step by step, reporting each failure over the sync socket,
 * waits for START (from `hutch start` over start.sock, or from `run` over
 * the sync socket), then becomes the user process. */
#ifndef HUTCH_INIT_H
#define HUTCH_INIT_H

#include <stdbool.h>

#include "libcontainer/process/namespaces.h"
#include "spec/spec.h"

struct seccomp_bpf;
struct cgroup_manager;

struct init_config {
  const struct spec *spec;
  const char *id;
  const char *rootfs; /* absolute host path */
  bool no_pivot;
  bool no_new_keyring;
  struct ns_plan *ns;
  int sync_fd;          /* the init's end of the socketpair */
  int parent_fd;        /* the parent's end, closed by the init */
  int start_sock;       /* listening on <state dir>/start.sock; -1 (`run`): START on sync_fd */
  int console_fd;       /* --console-socket connection, or -1 */
  int n_preserved;      /* fds 3 .. 3+n_preserved-1 reach the user process */
  int listen_fds;       /* LISTEN_FDS to announce (0: none) */
  bool need_hooks_sync; /* stop after rootfs_prepare for prestart/createRuntime hooks */
  const char *bundle;   /* for relative bind-mount sources */
  const struct seccomp_bpf *seccomp; /* compiled by the parent, NULL when none */
  struct cgroup_manager *cgroup;     /* joined by the init itself, NULL: none */
  bool cgroup_placed;                /* clone3 placed it in the unified hierarchy */
  /* The parent makes the v1 cgroups and applies the limits while the init
   * starts: SYNC_GO is awaited only before the first step that needs the
   * cgroup or the parent (wait_go in init.c).  Not with a user namespace
   * from clone3 (it needs its id maps first) or namespaces to join. */
  bool go_late;
  /* An unprivileged parent writes our id maps through /proc/<us>/uid_map and gid_map,
   * which a non-dumpable process has owned by root: stay dumpable until
   * the maps are written (nothing of the container runs before that). */
  bool maps_by_unprivileged;
  int *bind_fds; /* rootfs_ctx.bind_fds: trees the parent made, or NULL */
  bool got_go;   /* internal */
  /* stdio: NULL, or the process's ends of the foreground stdio relay, put
   * onto 0, 1, 2 first (-1 entries: the caller's fd stays). */
  const int *stdio;
  /* The caller handed its stdio to the container (create, run -d, exec -d):
   * its pipes, FIFOs and sockets go to the process's user, as runc.  In the
   * foreground the caller's fds are never chowned (stdio_relay.h). */
  bool stdio_given;
};

/* Runs in the cloned child; never returns. */
__attribute__((noreturn)) void init_main(struct init_config *cfg);

#endif
