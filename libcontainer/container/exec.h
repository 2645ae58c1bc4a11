/* `hutch exec`: run one more process in a running container.
 *
 * Process model (one fork, no intermediate process):
 *   hutch exec (P)   loads the container, checks it is running, opens a pidfd
 *                    of the init (start time checked against pid reuse),
 *                    compiles the container's seccomp filter, makes itself
 *                    non-dumpable (CVE-2019-5736; the child inherits it),
 *                    joins the init's pid namespace *for its children only*
 *                    (setns CLONE_NEWPID) and forks once;
 *   the child (C)    is born in the container's pid namespace; it enters the
 *                    container's cgroup (clone3 CLONE_INTO_CGROUP does it on
 *                    cgroup2 hosts), joins every other namespace of the init
 *                    with one setns(pidfd, USER|MNT|NET|...), closes every fd
 *                    it does not need, resolves a user name in the
 *                    container's /etc/passwd, chdirs to cwd, finds the
 *                    executable, sets up the pty, then process_exec()
 *                    (rlimits, user, capabilities, LSM, no_new_privs,
 *                    seccomp, execve).
 * Errors come back over a SOCK_SEQPACKET|SOCK_CLOEXEC socketpair; EOF on it
 * means the execve succeeded.  The child is P's own child: in the foreground
 * P forwards signals to it (or relays the terminal, tty_relay.h) and exits
 * with its status; with --detach P exits once the execve succeeded and the
 * process is reparented to the caller's subreaper (containerd shim, conmon). */
#ifndef HUTCH_EXEC_H
#define HUTCH_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "libcontainer/container/container.h"
#include "libcontainer/process/exec_process.h"
#include "spec/base/error.h"
#include "spec/spec.h"

/* Run x in the (loaded, not locked) container c.  Foreground: waits, and
 * *exit_status is the process's exit status (128+N when killed by signal N).
 * Detached: returns once the process runs (*exit_status = 0).  Errors:
 * "cannot exec in a stopped container", "container ID is paused", the
 * child's setup error ("exec: \"nosuch\": executable file not found in
 * $PATH"). */
int container_exec(struct container *c, const struct exec_opts *o, struct exec_process *x,
                   int *exit_status, herr_t *err);

#endif
