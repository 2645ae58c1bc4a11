/* The foreground stdio relay of `hutch run` and `hutch exec` without a
 * terminal (issue 16, item 1).
 *
 * The caller's fds 0-2 belong to the caller: hutch never changes their
 * owner in the foreground.  A process that runs as another user must still
 * be able to reopen them (`ln -sf /dev/stdout access.log`, `echo >
 * /proc/self/fd/1`), which the kernel checks against the inode's owner and
 * mode.  So for each of the caller's fds the process could not reopen (a
 * root-owned 0600 pipe, FIFO, file or terminal), hutch makes a pipe of its
 * own, gives that pipe to the process's user and copies between it and the
 * caller's fd, as runc does (runc relays every foreground fd; hutch only
 * those that need it, so a root process or /dev/null costs nothing: no
 * pipe, no extra process).
 *
 * Decision (stdio_relay_needs): regular files, FIFOs and terminals are
 * relayed when the process's uid/gid (as the host sees them) gets no read
 * (fd 0) or write (fds 1, 2) permission from the mode bits; sockets (which
 * cannot be reopened at all) and other devices (/dev/null) are passed as
 * they are.
 *
 * The copying runs in a process forked from hutch (not a thread: `exec`
 * joins the container's pid namespace, and a rootless one its user
 * namespace, which a multithreaded process cannot), holding only its own
 * fds, with hutch's blocked signals and a parent-death SIGKILL; event driven
 * with bounded buffers: caller's stdin -> pipe 0 (EOF closes it; a process that
 * closed its stdin stops the reading), pipes 1, 2 -> caller's stdout,
 * stderr (a caller's fd that is gone closes the pipe: the process gets
 * EPIPE as it would have).  After the process exits, the output still
 * buffered or in the pipes is copied until EOF, or until 200 ms pass
 * without output when another process of the container keeps a pipe open.
 *
 * Usage:
 *   struct stdio_relay r;
 *   stdio_relay_init(&r);
 *   stdio_relay_prepare(&r, host_uid, host_gid, ...);   // before the fork
 *   stdio_relay_start(&r, err);   // the copier; before or after the fork
 *   child: stdio_relay_child_fds(r.child) -> dup2 onto 0, 1, 2
 *   parent: stdio_relay_close_child(&r); ... wait for the process ...
 *   stdio_relay_finish(&r);       // drains, reaps, closes (also on failure) */
#ifndef HUTCH_STDIO_RELAY_H
#define HUTCH_STDIO_RELAY_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

/* (uid_t)-1: the process's host id is not known (a joined user namespace,
 * an unmapped id): only the "other" permission bits count. */
#define STDIO_ID_UNKNOWN ((uint32_t)-1)

struct stdio_relay {
  int child[3];  /* the process's ends (dup2 onto 0, 1, 2), -1: the caller's fd as is */
  int ours[3];   /* hutch's ends (non-blocking), -1 */
  int caller[3]; /* non-blocking descriptions of the caller's fds, -1 */
  int restore[3];
  int stop[2];  /* the waiter tells the copier the process exited */
  pid_t copier; /* the relay process, or -1 */
};

void stdio_relay_init(struct stdio_relay *r);
/* Whether the process (host uid/gid, supplementary groups) could not reopen
 * stdio fd `fd` (0, 1 or 2) whose fstat is *st. */
bool stdio_relay_needs(const struct stat *st, int fd, uint32_t uid, uint32_t gid,
                       const uint32_t *groups, size_t n_groups);
/* The host id of container id `id`: through the mappings when the config
 * makes a user namespace, unchanged without one, STDIO_ID_UNKNOWN when a
 * user namespace is joined or the id is not mapped. */
uint32_t stdio_relay_host_id(const struct spec *s, bool gid, uint32_t id);
/* Look at the caller's fds 0-2; make a pipe for each one the process
 * (uid, gid, groups: host ids, STDIO_ID_UNKNOWN when not known) could not
 * reopen, owned by owner (a host uid, or STDIO_ID_UNKNOWN: stays root's).
 * The process's setup then gives the pipes to its user (fix_stdio_owner in
 * process.c); owner only needs to be an id that setup may chown from (the
 * user itself, or the container's root in a user namespace).  Nothing is made
 * when no fd needs it (stdio_relay_active() is then false). */
int stdio_relay_prepare(struct stdio_relay *r, uint32_t uid, uint32_t gid, const uint32_t *groups,
                        size_t n_groups, uint32_t owner, herr_t *err);
bool stdio_relay_active(const struct stdio_relay *r);
/* In the process: its ends onto 0, 1, 2 (child may be NULL: nothing). */
int stdio_relay_child_fds(const int *child);
/* Fork the copier (nothing when inactive).  Signals must be blocked. */
int stdio_relay_start(struct stdio_relay *r, herr_t *err);
/* In hutch once the process has its ends: close ours of them. */
void stdio_relay_close_child(struct stdio_relay *r);
/* The process has exited: copy what is left, stop, close everything. */
void stdio_relay_finish(struct stdio_relay *r);

#endif
