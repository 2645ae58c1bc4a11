/* The hutch CLI: global context and one entry point per command. */
#ifndef HUTCH_CMD_H
#define HUTCH_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>

#include "libcontainer/utils/rootless.h"
#include "spec/base/error.h"

struct hutch_ctx {
  const char *root;     /* --root, default /run/hutch (rootless: $XDG_RUNTIME_DIR/hutch);
                         * NULL for commands that keep no state (spec, features) */
  const char *log_path; /* --log */
  bool log_json;        /* --log-format json */
  bool debug;           /* --debug */
  bool systemd_cgroup;  /* --systemd-cgroup */
  const char *rootless; /* --rootless true|false|auto, as given */
  const char *criu;     /* --criu PATH: the criu binary (NULL: criu in PATH) */
  enum rootless_mode rootless_mode;
  uid_t euid; /* geteuid(), read once by main */
  const char *argv0;
};

struct hutch_command {
  const char *name;
  int (*fn)(struct hutch_ctx *ctx, int argc, char **argv);
  const char *usage;   /* "[OPTIONS] ID" */
  const char *summary; /* one line */
  const char *options; /* help text for the options, may be NULL */
};

/* Every command: argv[0] is the command name.  Returns the exit status. */
#define HUTCH_COMMANDS(X)                                                                          \
  X(create)                                                                                        \
  X(start)                                                                                         \
  X(run)                                                                                           \
  X(state)                                                                                         \
  X(list)                                                                                          \
  X(kill)                                                                                          \
  X(delete)                                                                                        \
  X(exec)                                                                                          \
  X(ps)                                                                                            \
  X(pause)                                                                                         \
  X(resume)                                                                                        \
  X(update)                                                                                        \
  X(events)                                                                                        \
  X(spec)                                                                                          \
  X(features)                                                                                      \
  X(checkpoint)                                                                                    \
  X(restore)

#define HUTCH_DECLARE(name) int cmd_##name(struct hutch_ctx *ctx, int argc, char **argv);
HUTCH_COMMANDS(HUTCH_DECLARE)
#undef HUTCH_DECLARE

/* Print "hutch: <context>: <err>" (and log it), free err, return 1. */
/* run.c: foreground wait, with every signal blocked and read from sfd:
 * forward each one but SIGCHLD to init, reap children until init exits;
 * its status (128+N when killed by signal N), 255 when sfd fails. */
int cmd_wait_forwarding(int sfd, pid_t init);
int cmd_fail(struct hutch_ctx *ctx, herr_t *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Print a usage error for a command ("hutch kill: ..."), return 1. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* checkpoint/restore work here (libcontainer/container/criu.h, cached);
 * else false with err saying what is missing. */
bool cmd_criu_available(struct hutch_ctx *ctx, herr_t *err);
/* Print `hutch CMD --help` text to stdout. */
void cmd_print_help(const char *cmd);
/* Parse a command's options.  As runc, options may follow the container ID
 * (`delete ID --force`): getopt permutes.  Commands whose arguments after the
 * ID belong to a process (exec, ps) start `shortopts` with "+" so options stop
 * at the first argument (exec ID sh -c ... must not eat -c).  Usage: loop
 *   while ((c = cmd_getopt(argc, argv, "...", longopts, "create")) != -1) */
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd);
/* Check the number of positional arguments left after options. */
int cmd_check_args(const char *cmd, int argc, int min, int max);

#endif
