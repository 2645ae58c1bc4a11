/* Checkpoint and restore through the `criu` command line (Debian 12 ships
 * no libcriu), and criu's RPC mode for containers with a terminal.  This
 * header: the options of `hutch checkpoint` / `hutch restore`, finding
 * criu and whether it works on this host (`criu check`, cached), running
 * it, and the container's external resources (bind mounts, devices, joined namespaces) as criu's
 * --external / --inherit-fd / --join-ns options.  The operations are in
 * checkpoint.c and restore.c. */
#ifndef HUTCH_CRIU_H
#define HUTCH_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "libcontainer/container/container.h"
#include "spec/base/error.h"
#include "spec/spec.h"

struct cgroup_driver;

struct criu_opts {
  const char *criu;       /* --criu: the binary (NULL: "criu" in PATH) */
  const char *root;       /* --root: the state root */
  const char *image_path; /* --image-path (required) */
  const char *work_path;  /* --work-path: logs; NULL: the image path */
  const char *parent_path;
  const char *manage_cgroups_mode; /* soft|full|strict|ignore; NULL: soft */
  bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks;
  bool pre_dump, auto_dedup, lazy_pages;
  unsigned long empty_ns; /* CLONE_NEW* flags from --empty-ns */
  /* restore */
  const char *id;
  const char *bundle;   /* NULL: the current directory */
  const char *pid_file; /* NULL: none */
  const char *console_socket;
  bool detach, no_pivot, no_subreaper;
  const struct cgroup_driver *cgroup_driver; /* NULL: cgroupfs */
};

/* A growing NULL-terminated argv. */
struct criu_argv {
  char **v;
  size_t n, cap;
};
void criu_argv_add(struct criu_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void criu_argv_free(struct criu_argv *a);

/* Whether checkpoint/restore can work here: the criu binary exists and
 * `criu check` passes.  For root the answer is cached in
 * /run/hutch/.criu~check (whatever --root is), keyed by the binary (path,
 * inode, mtime, size) and the kernel, so the check runs once per criu and
 * kernel.  0 with *path (malloc'd) set, or -1 with err saying what is
 * missing. */
int criu_available(const char *criu, char **path, herr_t *err);

/* One run of criu.  opts holds long options only ("--name" or
 * "--name=value", a separate value after "--name"), so that they read both
 * as criu's command line and as its configuration file.  A container with
 * a terminal goes through `criu swrk` (criu_rpc.c): only its RPC mode
 * dumps a pty whose master is outside (orphan_pts_master) and hands the new
 * master back on restore, which goes to console_fd; the options travel as
 * the request's configuration file, --inherit-fd and --join-ns as its own
 * fields.  Everything else runs `criu ACTION`. */
struct criu_job {
  const char *bin;
  const char *action;        /* "dump", "pre-dump" or "restore" */
  const char *images, *work; /* directories */
  const char *log;           /* the log's name in work */
  const char *config;        /* org.criu.config: criu's configuration file, or NULL */
  pid_t tree;                /* dump: the init */
  bool rpc;                  /* process.terminal: criu swrk */
  int console_fd;            /* restore over RPC: the --console-socket connection */
  struct criu_argv opts;
  /* set by criu_job_fork / criu_job_wait */
  pid_t pid;
  int sk;         /* RPC: our end of the socketpair */
  pid_t restored; /* restore: the restored init */
};

/* Fork criu's process: 0 in the child, which then calls criu_job_exec
 * (with its stdio set up), criu's pid in the parent, -1 on error. */
pid_t criu_job_fork(struct criu_job *j, herr_t *err);
/* In the child: exec criu (signals unblocked; keep_fds made inheritable);
 * never returns. */
__attribute__((noreturn)) void criu_job_exec(struct criu_job *j, const int *keep_fds,
                                             size_t n_keep);
/* In the parent: over RPC, the conversation (the request, criu's
 * notifications, its answer); then wait for criu.  0 when criu succeeded
 * (j->restored set on restore), else -1 with the most telling line of
 * criu's log in err.  Frees j->opts. */
int criu_job_wait(struct criu_job *j, herr_t *err);

/* criu_rpc.c: whether criu's RPC can be used: hutch was built with it
 * and libprotobuf-c.so.1 loads.  0, or -1 with err saying what is missing. */
int criu_rpc_available(herr_t *err);
/* criu_rpc.c, before the fork: -1 with err when an option cannot be
 * written in criu's configuration file (a quote, backslash or newline). */
int criu_rpc_check_opts(const struct criu_job *j, herr_t *err);
/* criu_rpc.c: the RPC request for j, sent on j->sk, and the answers, up to
 * criu's final one.  0 when criu reported success; -1 with err otherwise
 * (*reply_failed: criu answered "failed", so its log says why). */
int criu_rpc_run(struct criu_job *j, bool *reply_failed, herr_t *err);
/* criu_rpc.c, in the child before criu swrk: write j->opts (after the
 * contents of j->config) as criu's configuration file at path. */
int criu_rpc_write_config(const struct criu_job *j, const char *path);

/* A bind mount (type bind, or option bind/rbind). */
bool criu_mount_is_bind(const struct spec_mount *m);
/* The external mounts of a container: each bind mount's destination, each
 * linux.devices path, as criu keys ("mnt[KEY]").  On dump the key is the
 * mount point; on restore the key maps to the host source.  Adds the
 * --external options to argv. */
void criu_external_mounts(const struct spec *s, const char *bundle, bool restore,
                          struct criu_argv *argv);

/* The image directory's record of the init's stdio (descriptors.json, as
 * runc writes it: a JSON array of the /proc/PID/fd/0..2 link targets). */
#define CRIU_DESCRIPTORS "descriptors.json"

/* The operations (c locked; *out of restore is the locked container). */
int container_checkpoint(struct container *c, const struct criu_opts *o, herr_t *err);
int container_restore(const struct criu_opts *o, struct container **out, herr_t *err);

/* Shared by both (checkpoint.c): the option checks before anything is
 * done, the options both criu commands take, mkdir of an option's dir. */
int criu_common_checks(const struct criu_opts *o, const char *verb, herr_t *err);
void criu_common_args(const struct criu_opts *o, const struct spec *s, struct criu_job *j);
int criu_mkdir(const char *opt, const char *path, herr_t *err);

#endif
