/* The state directory of a container: <root>/<id>/ holds
 *   state.json   what later commands need (pid + start time, bundle, rootfs,
 *                created, cgroup), written by write-temp-then-rename;
 *   config.json  the config as it was at create time;
 *   start.sock   present while the container is "created": the init
 *                listens on it, `hutch start` connects and sends START
 *                (sync.h), and gets the init's error or EOF at execve;
 *   cgroup.json  where the cgroup is, written by `create` before it makes
 *                it: a create killed before state.json exists leaves
 *                `delete` what it needs to remove the cgroup.
 * The directory itself is made with one mkdir (so two creates of one ID
 * cannot both win) and flock'ed by every command that changes it. */
#ifndef HUTCH_STATE_H
#define HUTCH_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "libcontainer/container/container.h"
#include "spec/base/error.h"

#define STATE_FILE "state.json"
#define STATE_CONFIG "config.json"
#define STATE_START_SOCK "start.sock"
#define STATE_CGROUP "cgroup.json"

/* Open the state root (an O_DIRECTORY fd); with create, mkdir -p it first
 * (0700 for directories it makes).  Refused unless it is a directory owned
 * by our euid and not writable by group or others (one line naming --root).
 * Everything in it is then opened relative to that fd without following
 * links. */
int state_root_open(const char *root, bool create, herr_t *err);
/* mkdir <root>/<id> (0700) and open it; "container <id> already exists" on
 * EEXIST.  Returns the directory's fd. */
int state_dir_create(int root_fd, const char *id, herr_t *err);
/* Open <root>/<id> without following a link: a link or a file there is
 * "container <id> does not exist". */
int state_dir_open(int root_fd, const char *id, herr_t *err);
/* Whether a state directory holds a container: state.json, cgroup.json or
 * exec.fifo (a create killed mid-way leaves the last two), or a create
 * holding its lock before it wrote any.  A stray directory in the root
 * (lost+found) is not one. */
bool state_dir_is_container(int dir_fd);
/* A create killed between its mkdir and its first file leaves an empty
 * directory that is no container: remove <root>/<id> when it is an empty
 * directory (not a link) nobody holds locked.  Whether it was removed. */
bool state_dir_remove_if_empty(const char *root, const char *id);
/* Remove every file of c's state dir, then the dir (best effort), through
 * c->dir_fd and c->root_fd: never what a link points to. */
void state_dir_remove(struct container *c);
/* start.sock, reached through /proc/self/fd/<c->dir_fd>: it fits
 * sockaddr_un whatever --root is, and follows no link.  Listen
 * (SOCK_SEQPACKET, close-on-exec) for `create`; connect for `start`
 * (ESRCH "the container init is gone" when nobody listens). */
int state_start_listen(const struct container *c, herr_t *err);
int state_start_connect(const struct container *c, herr_t *err);
/* The cgroups recorded by the other containers of c's root that share a
 * directory with c->cgroup (cgroup_same): their count, the managers in *out
 * (free with state_cgroup_sharers_free). */
size_t state_cgroup_sharers(const struct container *c, struct cgroup_manager ***out);
void state_cgroup_sharers_free(struct cgroup_manager **v, size_t n);
/* Write state.json for c (temp file + rename). */
int state_write(const struct container *c, herr_t *err);
/* Write cgroup.json: c->cgroup before it is made (no-op without one). */
int state_write_cgroup(const struct container *c, herr_t *err);
/* For a container whose create died before writing state.json: set
 * c->cgroup from cgroup.json.  1 when set, 0 when there is none (the create
 * died before recording it, so before making the cgroup), -1 on error. */
int state_read_cgroup(struct container *c, herr_t *err);
/* Fill c's fields from state.json.  Returns 1 when read, 0 when state.json
 * does not exist yet (container still being created), -1 on error. */
int state_read(struct container *c, herr_t *err);
/* The JSON-to-struct part of state_read: fill c from the state.json text
 * (path only names the file in errors).  0, or -1 with err set. */
int state_parse(struct container *c, const char *text, size_t len, const char *path, herr_t *err);
/* /proc/<pid>/stat: field 22 (starttime) and field 3 (state char).
 * Returns 0, or -1 when the process does not exist. */
int proc_stat_start(pid_t pid, unsigned long long *start, char *state);
/* /proc/<pid>/stat field 4: the parent's pid, 0 when unknown. */
pid_t proc_stat_ppid(pid_t pid);
/* True when pid is alive (not a zombie) and started at `start`. */
bool proc_alive(pid_t pid, unsigned long long start);
/* The current time as RFC3339Nano (UTC, trailing zeros trimmed like Go). */
char *rfc3339nano_now(void);

#endif
