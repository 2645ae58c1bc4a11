/* Container IDs, state files and /proc start times. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"

static void test_ids(void)
{
  const char *good[] = {"a", "c1", "hutch-test-1-2", "A_b+c.d-e", "..a", "a..b"};
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    herr_t err = NULL;
    CHECK_MSG(container_validate_id(good[i], &err) == 0, good[i]);
    herr_free(&err);
  }
  const char *bad[] = {"", ".", "..", "../x", "a/b", "/abs", "a b", "a\nb", "x;y", "é"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    herr_t err = NULL;
    CHECK_MSG(container_validate_id(bad[i], &err) < 0, bad[i]);
    CHECK(err && strstr(err->msg, "invalid container ID"));
    herr_free(&err);
  }
  char *longid = xmalloc(1026);
  memset(longid, 'a', 1025);
  longid[1025] = '\0';
  herr_t err = NULL;
  CHECK(container_validate_id(longid, &err) < 0);
  herr_free(&err);
  longid[1024] = '\0';
  CHECK(container_validate_id(longid, &err) == 0);
  free(longid);
}

static void test_time(void)
{
  char *t = rfc3339nano_now();
  regex_t re;
  regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*[1-9])?Z$",
          REG_EXTENDED | REG_NOSUB);
  CHECK_MSG(regexec(&re, t, 0, NULL, 0) == 0, t);
  regfree(&re);
  free(t);
}

static void test_proc(void)
{
  unsigned long long st = 0;
  char s = 0;
  CHECK(proc_stat_start(getpid(), &st, &s) == 0);
  CHECK(st > 0);
  CHECK(s == 'R');
  CHECK(proc_alive(getpid(), st));
  CHECK(!proc_alive(getpid(), st + 1)); /* pid reuse: another start time */
  CHECK(!proc_alive(0, 0));
  CHECK(proc_stat_start(999999999, &st, &s) < 0);
}

static void test_state_dir(void)
{
  char tmpl[] = "/tmp/hutch-test-state-XXXXXX";
  char *tmp = mkdtemp(tmpl);
  CHECK(tmp != NULL);
  char *root = xasprintf("%s/a/b/root", tmp);
  herr_t err = NULL;
  int root_fd = state_root_open(root, true, &err);
  CHECK(root_fd >= 0);
  struct stat sb;
  CHECK(stat(root, &sb) == 0 && (sb.st_mode & 0777) == 0700);
  int dir_fd = state_dir_create(root_fd, "c1", &err);
  CHECK(dir_fd >= 0);
  CHECK(state_dir_create(root_fd, "c1", &err) < 0);
  CHECK(err && strcmp(err->msg, "container c1 already exists") == 0);
  herr_free(&err);

  struct container c = {0};
  c.lock_fd = -1;
  c.root_fd = root_fd;
  c.dir_fd = dir_fd;
  c.id = "c1";
  c.state_dir = xasprintf("%s/c1", root);
  c.bundle = "/b";
  c.rootfs = "/b/rootfs";
  c.created = "2024-01-02T03:04:05.5Z";
  c.owner = "";
  c.pid = 1234;
  c.pid_start = 987654321ULL;
  CHECK(state_write(&c, &err) == 0);

  struct container d = {0};
  d.lock_fd = -1;
  d.state_dir = c.state_dir;
  d.dir_fd = dir_fd;
  CHECK(state_read(&d, &err) == 1);
  CHECK(d.pid == 1234);
  CHECK(d.pid_start == 987654321ULL);
  CHECK_STREQ(d.bundle, "/b");
  CHECK_STREQ(d.rootfs, "/b/rootfs");
  CHECK_STREQ(d.created, "2024-01-02T03:04:05.5Z");
  free(d.bundle);
  free(d.rootfs);
  free(d.created);
  free(d.owner);

  struct container *missing = NULL;
  CHECK(container_load(root, "nosuch", &missing, &err) < 0);
  CHECK(err && strcmp(err->msg, "container nosuch does not exist") == 0);
  CHECK(err && err->errnum == ENOENT);
  herr_free(&err);

  /* A root others can write, or another uid's, is refused. */
  CHECK(chmod(root, 0777) == 0);
  CHECK(state_root_open(root, false, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "writable by group or others (mode 0777)");
  herr_free(&err);
  CHECK(chmod(root, 0700) == 0 && chown(root, 1000, 0) == 0);
  CHECK(state_root_open(root, false, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "owned by uid 1000, not by uid 0");
  herr_free(&err);
  CHECK(chown(root, 0, 0) == 0);

  state_dir_remove(&c);
  CHECK(access(c.state_dir, F_OK) < 0);
  close(dir_fd);
  close(root_fd);
  free(c.state_dir);
  free(root);
  char *cmd = xasprintf("rm -rf %s", tmp);
  CHECK(system(cmd) == 0);
  free(cmd);
}

int main(void)
{
  test_ids();
  test_time();
  test_proc();
  test_state_dir();
  return check_done();
}
