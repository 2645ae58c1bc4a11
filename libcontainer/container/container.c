/* Loading a container from its state directory, status, lock, state JSON. */
#include "libcontainer/container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"
#include "version.h"

int container_validate_id(const char *id, herr_t *err)
{
  if (!id || !*id)
    return herr_set(err, EINVAL, "invalid container ID \"\": it is empty");
  size_t len = strlen(id);
  if (len > 1024)
    return herr_set(err, EINVAL, "invalid container ID: longer than 1024 bytes");
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
    return herr_set(err, EINVAL, "invalid container ID \"%s\"", id);
  for (size_t i = 0; i < len; i++) {
    char ch = id[i];
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '_' || ch == '+' || ch == '-' || ch == '.')
      continue;
    return herr_set(err, EINVAL,
                    "invalid container ID \"%s\": only letters, digits and _+.- are allowed", id);
  }
  return 0;
}

void container_free(struct container *c)
{
  if (!c)
    return;
  container_unlock(c);
  if (c->start_fd >= 0)
    close(c->start_fd);
  if (c->dir_fd >= 0)
    close(c->dir_fd);
  if (c->root_fd >= 0)
    close(c->root_fd);
  free(c->id);
  free(c->state_dir);
  free(c->bundle);
  free(c->rootfs);
  free(c->created);
  free(c->owner);
  spec_free(c->spec);
  cgroup_manager_free(c->cgroup);
  free(c);
}

/* config.json of the state dir (the config the container was created with). */
static int load_config(struct container *c, herr_t *err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file_nofollow(c->dir_fd, STATE_CONFIG, &text, &len, err) < 0 ||
      spec_parse(text, len, STATE_CONFIG, &c->spec, err) < 0)
    return herr_wrap(err, "container %s: state", c->id);
  return 0;
}

int container_load(const char *root, const char *id, struct container **out, herr_t *err)
{
  if (container_validate_id(id, err) < 0)
    return -1;
  struct container *c = xcalloc(1, sizeof(*c));
  c->lock_fd = -1;
  c->start_fd = -1;
  c->dir_fd = -1;
  c->id = xstrdup(id);
  c->state_dir = xasprintf("%s/%s", root, id);
  c->root_fd = state_root_open(root, false, err);
  if (c->root_fd < 0) {
    container_free(c);
    if ((*err)->errnum != ENOENT)
      return -1;
    herr_free(err);
    return herr_set(err, ENOENT, "container %s does not exist", id);
  }
  c->dir_fd = state_dir_open(c->root_fd, id, err);
  if (c->dir_fd < 0) {
    container_free(c);
    return -1;
  }
  int r = state_read(c, err);
  if (r < 0 || (r == 1 && load_config(c, err) < 0)) {
    container_free(c);
    return -1;
  }
  if (r == 0 && !state_dir_is_container(c->dir_fd)) {
    container_free(c);
    return herr_set(err, ENOENT, "container %s does not exist", id);
  }
  if (c->cgroup)
    c->cgroup->spec = c->spec;
  *out = c;
  return 0;
}

enum container_status container_status(struct container *c)
{
  if (!c->created)
    return CONTAINER_CREATING; /* no state.json yet */
  if (!proc_alive(c->pid, c->pid_start))
    return CONTAINER_STOPPED;
  struct stat st;
  if (fstatat(c->dir_fd, STATE_START_SOCK, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return CONTAINER_CREATED;
  if (c->cgroup) {
    bool frozen = false;
    _cleanup_herr_ herr_t e = NULL;
    if (cgroup_is_frozen(c->cgroup, &frozen, &e) == 0 && frozen)
      return CONTAINER_PAUSED;
  }
  return CONTAINER_RUNNING;
}

const char *container_status_name(enum container_status s)
{
  switch (s) {
  case CONTAINER_CREATING:
    return "creating";
  case CONTAINER_CREATED:
    return "created";
  case CONTAINER_RUNNING:
    return "running";
  case CONTAINER_PAUSED:
    return "paused";
  case CONTAINER_STOPPED:
    return "stopped";
  }
  return "unknown";
}

int container_lock(struct container *c, herr_t *err)
{
  if (c->lock_fd >= 0)
    return 0;
  /* A new open file description: flock locks belong to one. */
  int fd = openat(c->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return herr_set(err, ENOENT, "container %s does not exist", c->id);
    return herr_sys(err, "open %s", c->state_dir);
  }
  while (flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) {
      herr_sys(err, "lock %s", c->state_dir);
      close(fd);
      return -1;
    }
  }
  /* The holder before us may have deleted the container. */
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
    close(fd);
    return herr_set(err, ENOENT, "container %s does not exist", c->id);
  }
  c->lock_fd = fd;
  int r = state_read(c, err);
  if (r < 0) {
    container_unlock(c);
    return -1;
  }
  if (r == 1 && !c->spec && load_config(c, err) < 0) {
    container_unlock(c);
    return -1;
  }
  return 0;
}

void container_unlock(struct container *c)
{
  if (c->lock_fd >= 0) {
    flock(c->lock_fd, LOCK_UN);
    close(c->lock_fd);
    c->lock_fd = -1;
  }
}

json_t *container_state_object(struct container *c, enum container_status s)
{
  bool alive = s != CONTAINER_STOPPED;
  json_t *j = json_object();
  json_object_set_new(j, "ociVersion", json_string(HUTCH_SPEC_VERSION));
  json_object_set_new(j, "id", json_string(c->id));
  json_object_set_new(j, "pid", json_integer(alive ? c->pid : 0));
  json_object_set_new(j, "status", json_string(container_status_name(s)));
  json_object_set_new(j, "bundle", json_string(c->bundle ? c->bundle : ""));
  json_object_set_new(j, "rootfs", json_string(c->rootfs ? c->rootfs : ""));
  json_object_set_new(j, "created", json_string(c->created ? c->created : ""));
  /* runc's order: annotations (when any), then owner. */
  if (c->spec && c->spec->n_annotations) {
    json_t *a = json_object();
    for (size_t i = 0; i < c->spec->n_annotations; i++)
      json_object_set_new(a, c->spec->annotations[i].key,
                          json_string(c->spec->annotations[i].value));
    json_object_set_new(j, "annotations", a);
  }
  json_object_set_new(j, "owner", json_string(""));
  return j;
}

char *container_state_json_status(struct container *c, enum container_status s)
{
  json_t *j = container_state_object(c, s);
  char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!text)
    abort();
  return text;
}

char *container_state_json(struct container *c)
{
  return container_state_json_status(c, container_status(c));
}
