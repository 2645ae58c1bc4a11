/* A container as hutch sees it after `create`: loaded from its state
 * directory <root>/<id>, with its status derived from the live process.
 * The lifecycle operations (create/start/kill/delete) are in lifecycle.h. */
#ifndef HUTCH_CONTAINER_H
#define HUTCH_CONTAINER_H

#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

struct cgroup_manager;

enum container_status {
  CONTAINER_CREATING,
  CONTAINER_CREATED,
  CONTAINER_RUNNING,
  CONTAINER_PAUSED,
  CONTAINER_STOPPED
};

struct container { /* a container loaded from its state directory */
  char *id;
  char *state_dir;              /* <root>/<id>, for messages: files are opened through dir_fd */
  int root_fd;                  /* the state root (checked: ours, not writable by others) */
  int dir_fd;                   /* <root>/<id>, opened without following links */
  char *bundle;                 /* absolute */
  char *rootfs;                 /* absolute */
  pid_t pid;                    /* init pid (0 if never started) */
  unsigned long long pid_start; /* /proc/<pid>/stat starttime, for pid-reuse checks */
  char *created;                /* RFC3339Nano */
  char *owner;
  struct spec *spec; /* the config the container was created with (copied into the state dir) */
  struct cgroup_manager *cgroup; /* may be NULL when no cgroup */
  int lock_fd;                   /* flock'ed state dir fd while locked, else -1 */
  /* `run` (create + start in one process): our end of the sync socket; the
   * init waits on it for START instead of on start.sock.  -1 otherwise. */
  int start_fd;
};

/* Load <root>/<id>.  Error "container <id> does not exist" when absent. */
int container_load(const char *root, const char *id, struct container **out, herr_t *err);
void container_free(struct container *c);
/* Derived from the live process (with its start time, against pid reuse),
 * start.sock and the freezer; never trusted from the file alone. */
enum container_status container_status(struct container *c);
/* "created", "running", "paused", "stopped", "creating" */
const char *container_status_name(enum container_status s);
/* Exclusive flock on the state directory, held by every command that changes
 * state.  Re-reads state.json once the lock is held; fails with "container
 * <id> does not exist" if the container was deleted meanwhile. */
int container_lock(struct container *c, herr_t *err);
void container_unlock(struct container *c);
/* The OCI state document, malloc'd compact JSON. */
char *container_state_json(struct container *c);
/* Non-empty, [A-Za-z0-9_+.-], not "." or "..", at most 1024 bytes. */
int container_validate_id(const char *id, herr_t *err);

#endif
