/* The process `hutch exec` runs: the command-line options, and the process
 * built from them and the container's config (user names resolved inside
 * the container, by exec_child.c). */
#ifndef HUTCH_EXEC_PROCESS_H
#define HUTCH_EXEC_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

/* What `hutch exec` was asked for (the command line, roughly). */
struct exec_opts {
  const char *process_file; /* --process: a process.json (the flags below still apply on top) */
  char **args;              /* COMMAND [ARG...]; replaces process.args when n_args > 0 */
  size_t n_args;
  bool tty;        /* -t: process.terminal = true */
  const char *cwd; /* --cwd */
  char **env;      /* -e KEY=VALUE: added to process.env, replacing the same KEY */
  size_t n_env;
  const char *user; /* -u UID[:GID] or NAME[:GROUP] (names: the container's /etc/passwd) */
  char **gids;      /* -g GID: appended to process.user.additionalGids */
  size_t n_gids;
  char **caps; /* -c CAP: added to the bounding, effective and permitted sets
                * (and ambient when the process has inheritable ones), as runc */
  size_t n_caps;
  bool no_new_privs;          /* --no-new-privs */
  const char *apparmor;       /* --apparmor */
  const char *process_label;  /* --process-label */
  bool detach;                /* -d */
  const char *pid_file;       /* --pid-file (written atomically) */
  const char *console_socket; /* --console-socket: receives the pty master */
  int preserve_fds;           /* --preserve-fds N: fds 3..3+N-1 reach the process */
  char **cgroups;             /* --cgroup PATH or CTRL[,CTRL]:PATH, relative to the container's */
  size_t n_cgroups;
  bool ignore_paused; /* --ignore-paused */
};

/* The process to run, built from the container's process (or --process)
 * and the flags.  user_name/group_name are resolved inside the container. */
struct exec_process {
  struct spec_process *p;
  char *user_name;  /* -u NAME: look up uid (and gid unless a group is given) */
  char *group_name; /* -u X:GROUP: look up the gid in /etc/group */
};

/* Build the process.  Consumes spec->process when there is no
 * --process file (the container keeps no use for it).  Errors name the flag
 * or the JSON path: "process.json: args: must not be empty". */
int exec_process_build(struct spec *spec, const char *id, const struct exec_opts *o,
                       struct exec_process *out, herr_t *err);
void exec_process_clear(struct exec_process *x);

/* Parse "-u" text: "1000", "1000:1000", "name", "name:group", "1000:group".
 * Numeric parts fill *uid / *gid (has_gid says whether a gid was given);
 * names are returned malloc'd in *user_name / *group_name. */
int exec_parse_user(const char *s, uid_t *uid, char **user_name, gid_t *gid, bool *has_gid,
                    char **group_name, herr_t *err);
/* Look NAME up in a passwd-format file: uid, gid.  Error: "no such user NAME
 * in the container's /etc/passwd". */
int exec_lookup_user(const char *passwd, const char *name, uid_t *uid, gid_t *gid, herr_t *err);
/* Look GROUP up in a group-format file. */
int exec_lookup_group(const char *group_file, const char *name, gid_t *gid, herr_t *err);
/* KEY=VALUE into env (n entries, malloc'd array of malloc'd strings):
 * replaces an existing KEY, else appends. */
void exec_env_set(char ***env, size_t *n, const char *kv);

#endif
