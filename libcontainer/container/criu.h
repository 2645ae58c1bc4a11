/* Checkpoint and restore through the `criu` command line (Debian 12 ships
 * no libcriu; hutch speaks no protobuf).  This header: the options of
 * `hutch checkpoint` / `hutch restore`, finding criu and whether it works on
 * this host (`criu check`, cached), running it, and the container's
 * external resources (bind mounts, devices, joined namespaces) as criu's
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

/* Run criu with argv (argv->v[0] is the binary path) and wait for it.
 * stdio: 0-2 are ours when keep_stdio, else /dev/null.  keep_fds: more fds
 * (cleared of close-on-exec in the child).  Returns criu's wait status. */
int criu_run(struct criu_argv *argv, bool keep_stdio, const int *keep_fds, size_t n_keep,
             int *status, herr_t *err);

/* "criu dump failed (exit status 1): <the last Error line of the log>
 * (log: PATH)" as err. */
int criu_failed(const char *what, int status, const char *log, herr_t *err);

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
void criu_common_args(const struct criu_opts *o, const struct spec *s, struct criu_argv *a);
int criu_mkdir(const char *opt, const char *path, herr_t *err);

#endif
