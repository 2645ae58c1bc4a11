/* validate/: the one validation pass.  `create` and `run` call
 * validate_config() once, in the parent, after parsing and before anything
 * exists (state dir, cgroup, clone): every check of the config against
 * itself and against this host (namespaces, sysctl keys against the
 * namespaces the container gets, mounts, devices, root.path, confinement
 * fields, memoryPolicy, resource values).  A failure is one line naming the
 * JSON path (`linux.sysctl: ...`); success means the config is one the init
 * trusts: the init (a clone of the parent, with the same parsed config)
 * never checks it again, least of all against its own view of namespaces
 * after it has joined them.
 *
 * What can only be known once the container's cgroup exists (is the memory
 * controller there?) is refused by the part that applies it, still in the
 * parent (cgroup_apply).
 *
 * Layering: uses spec/, rootfs/, security/, cgroups/ and process/; used by
 * container/ (create, exec) and cmd/ (update). */
#ifndef HUTCH_VALIDATE_H
#define HUTCH_VALIDATE_H

#include <stdbool.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct validate_opts {
  const char *bundle; /* absolute path of the bundle: a relative root.path is taken from here */
  bool console;       /* someone takes the pty of process.terminal (--console-socket, or a
                         foreground `run` relaying it) */
  bool rootless;      /* --rootless resolved to true: what an unprivileged container could
                         only fail at later, and less clearly, is refused here */
};

/* The whole config, before clone.  On success *rootfs is root.path resolved
 * (absolute, no symlinks, a directory; the caller frees it). */
int validate_config(const struct spec *s, const struct validate_opts *o, char **rootfs,
                    herr_t *err);

/* The parts for the commands that have only a part: `exec --process` (the
 * process's confinement fields against this host) and `update` (resource
 * values, before cgroup_apply writes any of them). */
int validate_process(const struct spec_process *p, herr_t *err);
int validate_resources(const struct spec_resources *r, herr_t *err);

#endif
