/* OCI runtime hooks (runtime-spec config.md#posix-platform-hooks).
 *
 * Each hook is spawned with execve(path, args, env) (args[0] is argv[0], argv
 * is [path] when args is absent; env exactly as given, empty when absent),
 * the container state JSON on its stdin, its stdout and stderr captured, and
 * only fds 0, 1, 2 open.  A hook with a timeout is killed (SIGKILL, with its
 * process group) when it runs longer.  An error quotes the first line of the
 * hook's stderr (of its stdout when stderr is empty), at most 200 bytes; the
 * whole output is logged at debug level.
 *
 * While hooks run, SIGPIPE is blocked and an ignored SIGCHLD is reset to the
 * default (both restored after); the caller must not reap children with
 * waitpid(-1) concurrently (e.g. from a SIGCHLD handler).  With no hooks of
 * `kind`, hooks_run returns at once without allocating. */
#ifndef HUTCH_HOOKS_H
#define HUTCH_HOOKS_H

#include "spec/base/error.h"
#include "spec/spec.h"

/* Run every hook of `kind` in order, each with state_json on stdin, its env, args (args[0] is
 * argv[0]), and timeout. A failing hook (exit != 0, signal, timeout, missing binary) returns an
 * error naming the hook kind, index and path: "createRuntime hook #0 (/usr/bin/foo): exited with
 * status 3: <first line of its stderr>". */
int hooks_run(const struct spec *s, enum spec_hook_kind kind, const char *state_json, herr_t *err);

/* Run every hook of `kind` in order even when some fail, as runtime-spec runtime.md#lifecycle
 * asks for poststart and poststop ("the remaining hooks and lifecycle continue as if the hook had
 * succeeded"): each failure is logged as a warning "WARN_CTX ID: <error as above>". Returns the
 * number of hooks that failed. */
int hooks_run_all(const struct spec *s, enum spec_hook_kind kind, const char *state_json,
                  const char *warn_ctx, const char *id);

#endif
