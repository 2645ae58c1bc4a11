/* The user process, set up by the init after `hutch start`: rlimits, user
 * and groups, capabilities and LSM labels (security.h), umask, cwd, env,
 * fds, seccomp, then execve. */
#ifndef HUTCH_PROCESS_H
#define HUTCH_PROCESS_H

#include "spec/base/error.h"
#include "libcontainer/process/init.h"
#include "spec/spec.h"

/* Before `ready` (inside the container root): enter process.cwd (made
 * first, root-owned, when make_cwd: `create` does, as runc; `exec` does not,
 * so a missing --cwd is an error), and resolve args[0] in the PATH of process.env.  Errors read
 * like runc's: exec: "nosuch": executable file not found in $PATH */
int process_prepare(const struct spec_process *p, bool make_cwd, char **exe, herr_t *err);
/* After `start`: everything up to execve.  Returns only on failure.  With
 * start_state (the container state, status "created"), the startContainer
 * hooks run last, with the process's credentials and restrictions already
 * applied (user, groups, capabilities, no_new_privs, seccomp, LSM labels),
 * as runc: their binaries come from the container's filesystem. */
int process_exec(const struct init_config *cfg, const char *exe, const char *start_state,
                 herr_t *err);
/* Close every fd >= from except those in keep[] (n of them, -1 entries ignored). */
void close_fds_except(int from, const int *keep, size_t n);

#endif
