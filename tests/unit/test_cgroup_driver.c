/* The cgroup driver seam (cgroup.h): which driver `create`/`run` get, that a
 * state written by one driver is read back by the same one (state.json and
 * cgroup.json), and what a driver without an operation answers.  Nothing
 * here touches the host's cgroups. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/state.h"

static const char hybrid_json[] =
    "{\"mode\":\"hybrid\",\"path\":\"/x\",\"hierarchies\":["
    "{\"key\":\"memory\",\"mount\":\"/m\",\"dir\":\"/m/x\",\"v2\":false,\"created\":1},"
    "{\"key\":\"unified\",\"mount\":\"/u\",\"dir\":\"/u/x\",\"v2\":true,\"created\":1,"
    "\"controllers\":\"\"}],\"devices\":[]}";

static struct cgroup_manager *load(const char *text, herr_t *err)
{
  json_t *j = json_loads(text, 0, NULL);
  struct cgroup_manager *m = NULL;
  if (cgroup_manager_from_json(j, "c1", &m, err) < 0)
    m = NULL;
  json_decref(j);
  return m;
}

static void test_select(void)
{
  const struct cgroup_driver *d = NULL;
  herr_t err = NULL;
  CHECK(cgroup_driver_select(false, &d, &err) == 0);
  CHECK(d == &cgroup_driver_fs);
  CHECK_STREQ(d ? d->name : NULL, "cgroupfs");

  d = NULL;
  CHECK(cgroup_driver_select(true, &d, &err) == 0);
  CHECK(d == &cgroup_driver_systemd);
  CHECK_STREQ(d ? d->option : NULL, "--systemd-cgroup");

  CHECK(cgroup_driver_find("cgroupfs") == &cgroup_driver_fs);
  CHECK(cgroup_driver_find("none") == &cgroup_driver_none);
  CHECK(cgroup_driver_find("systemd") == &cgroup_driver_systemd);

  /* The cgroupfs driver refuses a systemd path before it looks at the host. */
  struct cgroup_manager *m = NULL;
  struct cgroup_config cfg = {.id = "c1", .path = "system.slice:hutch:c1"};
  CHECK(cgroup_manager_new(&cgroup_driver_fs, &cfg, &m, &err) < 0);
  CHECK(m == NULL);
  CHECK_CONTAINS(err ? err->msg : NULL, "--systemd-cgroup");
  herr_free(&err);
}

/* Rootless --systemd-cgroup talks to the user's manager: without a user
 * bus, one line saying which bus was tried, before anything is made. */
static void test_user_bus_absent(void)
{
  herr_t err = NULL;
  struct cgroup_manager *m = NULL;
  struct cgroup_config cfg = {.id = "c1", .path = "user.slice:hutch:c1", .rootless = true};
  setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent-hutch/bus", 1);
  CHECK(cgroup_manager_new(&cgroup_driver_systemd, &cfg, &m, &err) < 0);
  CHECK(m == NULL);
  CHECK_CONTAINS(err ? err->msg : NULL,
                 "--systemd-cgroup: rootless: cannot reach the user's systemd on its user bus "
                 "(DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent-hutch/bus)");
  CHECK(err == NULL || strchr(err->msg, '\n') == NULL);
  herr_free(&err);
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
  setenv("XDG_RUNTIME_DIR", "/nonexistent-hutch", 1);
  CHECK(cgroup_manager_new(&cgroup_driver_systemd, &cfg, &m, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "on its user bus (/nonexistent-hutch/bus)");
  herr_free(&err);
  unsetenv("XDG_RUNTIME_DIR");
  CHECK(cgroup_manager_new(&cgroup_driver_systemd, &cfg, &m, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "XDG_RUNTIME_DIR is not set");
  herr_free(&err);
}

static void test_json_driver(void)
{
  herr_t err = NULL;
  /* A state from before the driver was kept: cgroupfs. */
  struct cgroup_manager *m = load(hybrid_json, &err);
  CHECK(m != NULL);
  if (!m)
    return;
  CHECK_STREQ(cgroup_driver_name(m), "cgroupfs");
  json_t *j = cgroup_manager_to_json(m);
  CHECK_STREQ(json_string_value(json_object_get(j, "driver")), "cgroupfs");
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  cgroup_manager_free(m);
  m = load(text, &err);
  free(text);
  CHECK(m && m->driver == &cgroup_driver_fs);
  CHECK_STREQ(m ? cgroup_dir(m, "memory") : NULL, "/m/x");
  cgroup_manager_free(m);

  /* A driver this hutch does not have is named. */
  m = load("{\"driver\":\"cgroupv3\",\"unit\":\"hutch-c1.scope\"}", &err);
  CHECK(m == NULL);
  CHECK_STREQ(err ? err->msg : NULL,
              "cgroup: the container was made by the \"cgroupv3\" cgroup driver, which this hutch "
              "does not have");
  herr_free(&err);
  /* A systemd state without its keys is refused, not guessed. */
  m = load("{\"driver\":\"systemd\",\"unit\":\"hutch-c1.scope\"}", &err);
  CHECK(m == NULL);
  CHECK_STREQ(err ? err->msg : NULL, "cgroup: malformed systemd cgroup state");
  herr_free(&err);
  m = load("{\"driver\":7}", &err);
  CHECK(m == NULL);
  CHECK_CONTAINS(err ? err->msg : NULL, "malformed cgroup state");
  herr_free(&err);
}

/* The "none" driver: what a driver that cannot do an operation answers. */
static void test_none(void)
{
  herr_t err = NULL;
  struct cgroup_manager *m = NULL;
  struct cgroup_config cfg = {.id = "c1"};
  CHECK(cgroup_manager_new(&cgroup_driver_none, &cfg, &m, &err) == 0);
  if (!m)
    return;
  CHECK(cgroup_create(m, CGROUP_BEFORE_CLONE, 0, &err) == 0);
  CHECK(cgroup_clone_into_fd(m) == -1);
  size_t n = 9;
  int fds[4];
  CHECK(cgroup_open_join_fds(m, false, fds, 4, &n, &err) == 0 && n == 0);
  struct spec_resources empty = {0};
  CHECK(cgroup_apply(m, &empty, &err) == 0);
  struct spec_resources limit = {.has_pids = true, .pids_limit = 10};
  CHECK(cgroup_apply(m, &limit, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "container c1 has no cgroup hutch can set limits in (cgroup driver \"none\")");
  herr_free(&err);
  CHECK(cgroup_freeze(m, true, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL,
              "container c1 has no cgroup hutch can pause (cgroup driver \"none\")");
  herr_free(&err);
  bool frozen = true;
  CHECK(cgroup_is_frozen(m, &frozen, &err) == 0 && !frozen);
  CHECK(cgroup_kill_all(m, 9, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "can kill every process of");
  herr_free(&err);
  pid_t *pids = NULL;
  CHECK(cgroup_pids(m, &pids, &n, &err) < 0 && pids == NULL);
  herr_free(&err);
  json_t *st = NULL;
  CHECK(cgroup_stats(m, &st, &err) < 0 && st == NULL);
  herr_free(&err);
  CHECK(cgroup_update(m, &limit, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "can update");
  herr_free(&err);
  CHECK(cgroup_oom_fd(m, &err) == -1 && err == NULL);
  CHECK(cgroup_oom_kills(m) == 0);
  CHECK(cgroup_dir(m, "") == NULL);
  CHECK_STREQ(cgroup_mode_name(m), "none");
  CHECK(cgroup_destroy(m, &err) == 0);
  json_t *j = cgroup_manager_to_json(m);
  CHECK_STREQ(json_string_value(json_object_get(j, "driver")), "none");
  json_decref(j);
  cgroup_manager_free(m);
}

/* state.json and cgroup.json keep the driver: the later commands load the
 * manager with the driver that made it. */
static void test_state_roundtrip(void)
{
  char tmpl[] = "/tmp/hutch-test-cgdriver-XXXXXX";
  char *dir = mkdtemp(tmpl);
  CHECK(dir != NULL);
  if (!dir)
    return;
  const struct cgroup_driver *drivers[] = {&cgroup_driver_fs, &cgroup_driver_none};
  for (size_t i = 0; i < 2; i++) {
    herr_t err = NULL;
    struct cgroup_manager *m = NULL;
    if (drivers[i] == &cgroup_driver_fs) {
      m = load(hybrid_json, &err);
    } else {
      struct cgroup_config cfg = {.id = "c1"};
      CHECK(cgroup_manager_new(drivers[i], &cfg, &m, &err) == 0);
    }
    CHECK(m != NULL);
    if (!m)
      continue;
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(dir_fd >= 0);
    struct container c = {.id = "c1",
                          .state_dir = dir,
                          .cgroup = m,
                          .lock_fd = -1,
                          .start_fd = -1,
                          .root_fd = -1,
                          .dir_fd = dir_fd};
    CHECK(state_write_cgroup(&c, &err) == 0);
    CHECK(state_write(&c, &err) == 0);
    herr_free(&err);

    struct container d = {.id = "c1",
                          .state_dir = dir,
                          .lock_fd = -1,
                          .start_fd = -1,
                          .root_fd = -1,
                          .dir_fd = dir_fd};
    CHECK(state_read(&d, &err) == 1);
    CHECK_MSG(d.cgroup && d.cgroup->driver == drivers[i], drivers[i]->name);
    CHECK_STREQ(d.cgroup ? d.cgroup->id : NULL, "c1");
    if (drivers[i] == &cgroup_driver_fs)
      CHECK_STREQ(d.cgroup ? cgroup_dir(d.cgroup, "") : NULL, "/u/x");
    cgroup_manager_free(d.cgroup);
    d.cgroup = NULL;
    CHECK(state_read_cgroup(&d, &err) == 1);
    CHECK_MSG(d.cgroup && d.cgroup->driver == drivers[i], drivers[i]->name);
    herr_free(&err);
    cgroup_manager_free(d.cgroup);
    free(d.bundle);
    free(d.rootfs);
    free(d.created);
    free(d.owner);
    cgroup_manager_free(m);
    close(dir_fd);
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
    unlink(path);
    snprintf(path, sizeof(path), "%s/%s", dir, STATE_CGROUP);
    unlink(path);
  }
  rmdir(dir);
}

int main(void)
{
  test_select();
  test_user_bus_absent();
  test_json_driver();
  test_none();
  test_state_roundtrip();
  return check_done();
}
