/* The validation pass (libcontainer/validate/): each kind of bad config is
 * refused with its one-line message naming the JSON path, and the sysctl
 * keys are judged against the namespaces of this process (the parent), so
 * a network or ipc namespace joined by path counts as the container's own
 * unless it is this process's. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/validate/validate.h"
#include "spec/base/util.h"

static struct spec *parse(const char *json, herr_t *err)
{
  struct spec *s = NULL;
  if (spec_parse(json, strlen(json), "config.json", &s, err) < 0)
    return NULL;
  return s;
}

static int validate(const struct spec *s, herr_t *err)
{
  struct validate_opts o = {.bundle = "/"};
  _cleanup_free_ char *rootfs = NULL;
  int r = validate_config(s, &o, &rootfs, err);
  if (r == 0 && (!rootfs || strcmp(rootfs, "/") != 0))
    return herr_set(err, 0, "rootfs: got %s", rootfs ? rootfs : "(null)");
  return r;
}

/* Parse BASE + rest and expect validate_config to refuse it with want. */
static void expect_refused(const char *rest, const char *want)
{
  static const char *base = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
                            "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},";
  herr_t err = NULL;
  _cleanup_free_ char *json = xasprintf("%s%s", base, rest);
  struct spec *s = parse(json, &err);
  CHECK_MSG(s != NULL, err ? err->msg : json);
  if (s) {
    CHECK_MSG(validate(s, &err) < 0, json);
    CHECK_CONTAINS(err ? err->msg : NULL, want);
  }
  herr_free(&err);
  spec_free(s);
}

static void expect_accepted(const char *rest)
{
  static const char *base = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
                            "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},";
  herr_t err = NULL;
  _cleanup_free_ char *json = xasprintf("%s%s", base, rest);
  struct spec *s = parse(json, &err);
  CHECK_MSG(s && validate(s, &err) == 0, err ? err->msg : json);
  herr_free(&err);
  spec_free(s);
}

static void test_rootfs_fields(void)
{
  static const char *base = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
                            "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},";
  struct {
    const char *rest, *want;
  } cases[] = {
      {"\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"sysctl\":{\"kernel.pid_max\":\"10\"}}}",
       "linux.sysctl: kernel.pid_max is not in a separate kernel namespace"},
      {"\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"sysctl\":{\"net.ipv4.ip_forward\":"
       "\"1\"}}}",
       "linux.sysctl: net.ipv4.ip_forward is not allowed in the host's network namespace"},
      {"\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],\"sysctl\":{"
       "\"kernel.hostname\":\"x\"}}}",
       "kernel.hostname conflicts"},
      {"\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"ipc\"}],\"sysctl\":{"
       "\"net/../../x\":\"1\"}}}",
       "invalid key"},
      {"\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"devices\":[{\"path\":\"/etc/x\","
       "\"type\":\"c\",\"major\":1,\"minor\":3}]}}",
       "linux.devices[0]: path /etc/x is not under /dev"},
      {"\"mounts\":[{\"destination\":\"/x\",\"type\":\"tmpfs\"}],\"linux\":{}}",
       "need a mount namespace"},
      {"\"mounts\":[{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"idmap\"]}],"
       "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
       "mounts[0]: idmap is only supported on bind mounts"},
      {"\"mounts\":[{\"destination\":\"/\",\"type\":\"tmpfs\"}],"
       "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
       "mounts[0]: cannot mount over the container's /"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    herr_t err = NULL;
    _cleanup_free_ char *json = xasprintf("%s%s", base, cases[i].rest);
    struct spec *s = parse(json, &err);
    CHECK_MSG(s != NULL, err ? err->msg : json);
    if (!s) {
      herr_free(&err);
      continue;
    }
    CHECK(validate(s, &err) < 0);
    CHECK_CONTAINS(err ? err->msg : NULL, cases[i].want);
    herr_free(&err);
    spec_free(s);
  }
  /* Namespaced keys pass. */
  herr_t err = NULL;
  _cleanup_free_ char *ok = xasprintf(
      "%s%s", base,
      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"network\"},"
      "{\"type\":\"uts\"}],\"sysctl\":{\"kernel.shmmax\":\"1\",\"fs.mqueue.msg_max\":\"10\","
      "\"net/ipv4/ip_forward\":\"1\",\"kernel.domainname\":\"x\"}}}");
  struct spec *s = parse(ok, &err);
  CHECK(s && validate(s, &err) == 0);
  if (err)
    fprintf(stderr, "%s\n", err->msg);
  herr_free(&err);
  spec_free(s);
}

static void test_top_fields(void)
{
  expect_refused("\"linux\":{\"intelRdt\":{\"closID\":\"x\"}}}",
                 "config.json: linux.intelRdt: Intel RDT is not supported by hutch");
  expect_refused("\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":true}}",
                 "process.terminal is true: --console-socket is needed");
  herr_t err = NULL;
  struct spec *s = parse("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/nonexistent-hutch\"},"
                         "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}}",
                         &err);
  CHECK(s && validate(s, &err) < 0);
  CHECK_CONTAINS(err ? err->msg : NULL, "root.path: rootfs /nonexistent-hutch");
  herr_free(&err);
  spec_free(s);
}

/* (Mappings or offsets without any user or time entry: the parser refuses
 * them; with one joined by path they reach this pass.) */
static void test_namespaces(void)
{
  expect_refused("\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/self/ns/user\"}],"
                 "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                 "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}}",
                 "linux.uidMappings/gidMappings: set, but no new user namespace is requested");
  expect_refused("\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}",
                 "linux.namespaces: a new user namespace needs linux.uidMappings and "
                 "linux.gidMappings");
  expect_refused("\"linux\":{\"namespaces\":[{\"type\":\"time\",\"path\":\"/proc/self/ns/time\"}],"
                 "\"timeOffsets\":{\"monotonic\":{\"secs\":1}}}}",
                 "linux.timeOffsets: set, but no new time namespace is requested");
}

/* (The parser already refuses most bad values of a config; update's flags
 * come only through here.) */
static void test_resources(void)
{
  expect_refused("\"linux\":{\"resources\":{\"unified\":{\"../x\":\"1\"}}}}",
                 "linux.resources.unified: \"../x\" is not a cgroup file name");
  struct spec_resources r = {.has_block_io = true};
  r.block_io.has_weight = true;
  r.block_io.weight = 5;
  herr_t err = NULL;
  CHECK(validate_resources(&r, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, "linux.resources.blockIO.weight: 5 is out of range (10-1000)");
  herr_free(&err);
}

/* A child in a new network and ipc namespace; *pid gets its pid. */
static pid_t child_in_new_ns(void)
{
  int p[2];
  if (pipe(p) < 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    char ok = unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0 ? '1' : '0';
    if (write(p[1], &ok, 1) != 1)
      _exit(1);
    pause();
    _exit(0);
  }
  close(p[1]);
  char ok = '0';
  if (pid < 0 || read(p[0], &ok, 1) != 1 || ok != '1') {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
    }
    pid = -1;
  }
  close(p[0]);
  return pid;
}

/* The podman + netavark case: net.* and ipc keys with namespaces joined by
 * path.  A path to this process's own namespace is the host's. */
static void test_sysctl_joined(void)
{
  expect_refused(
      "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}],"
      "\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 0\"}}}",
      "linux.sysctl: net.ipv4.ping_group_range is not allowed in the host's network "
      "namespace");
  expect_refused("\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":\"/proc/self/ns/ipc\"}],"
                 "\"sysctl\":{\"kernel.shmmni\":\"2048\"}}}",
                 "linux.sysctl: kernel.shmmni is not allowed in the host's ipc namespace");
  pid_t pid = child_in_new_ns();
  CHECK(pid > 0);
  if (pid <= 0)
    return;
  _cleanup_free_ char *rest =
      xasprintf("\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/%d/ns/net\"},"
                "{\"type\":\"ipc\",\"path\":\"/proc/%d/ns/ipc\"}],"
                "\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 0\",\"kernel.shmmni\":\"2048\"}}}",
                (int)pid, (int)pid);
  expect_accepted(rest);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

int main(void)
{
  test_rootfs_fields();
  test_top_fields();
  test_namespaces();
  test_resources();
  test_sysctl_joined();
  return check_done();
}
