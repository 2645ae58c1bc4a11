/* Other containers of the state root in the same cgroup (one cgroupsPath
 * for several containers, as runc allows): see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"

/* The cgroup recorded in <root>/<name> (state.json, else cgroup.json), or NULL. */
static struct cgroup_manager *recorded_cgroup(int root_fd, const char *name)
{
  _cleanup_herr_ herr_t e = NULL;
  _cleanup_close_ int dir = state_dir_open(root_fd, name, &e);
  if (dir < 0)
    return NULL;
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  json_t *j = NULL, *cg = NULL;
  if (read_file_nofollow(dir, STATE_FILE, &text, &len, &e) == 0) {
    j = json_loadb(text, len, 0, NULL);
    cg = json_object_get(j, "cgroup");
  } else {
    herr_free(&e);
    if (read_file_nofollow(dir, STATE_CGROUP, &text, &len, &e) == 0 && len > 0)
      cg = j = json_loadb(text, len, 0, NULL);
  }
  struct cgroup_manager *m = NULL;
  if (cg && cgroup_manager_from_json(cg, name, &m, &e) < 0)
    m = NULL;
  json_decref(j);
  return m;
}

size_t state_cgroup_sharers(const struct container *c, struct cgroup_manager ***out)
{
  *out = NULL;
  if (!c->cgroup || c->root_fd < 0)
    return 0;
  int fd = openat(c->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close(fd);
    return 0;
  }
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
        strcmp(de->d_name, c->id) == 0 || container_validate_id(de->d_name, NULL) < 0)
      continue;
    struct cgroup_manager *m = recorded_cgroup(c->root_fd, de->d_name);
    if (m && cgroup_same(c->cgroup, m)) {
      *out = xrealloc(*out, (n + 1) * sizeof(**out));
      (*out)[n++] = m;
    } else {
      cgroup_manager_free(m);
    }
  }
  closedir(d);
  return n;
}

void state_cgroup_sharers_free(struct cgroup_manager **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    cgroup_manager_free(v[i]);
  free(v);
}
