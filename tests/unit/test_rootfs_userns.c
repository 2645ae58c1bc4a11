/* The rootfs module inside a user namespace: devices are bind-mounted from
 * the host, a bind of a source with locked flags (nosuid/nodev/noexec,
 * inherited from a more privileged mount namespace) can still be made "ro",
 * a request to clear a locked flag is refused by name, and masked/readonly
 * paths and root.readonly work.  The child reports "key=value" lines
 * through a pipe; the parent checks them and that no mount leaked. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/rootfs/rootfs.h"
#include "libcontainer/utils/fileio.h"

#define HOST_ID 200000

static const char *config_fmt =
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
    "\"mode=755\"]},"
    "{\"destination\":\"/locked\",\"source\":\"%s/locked\",\"options\":[\"bind\",\"ro\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"ro\"]},"
    "{\"destination\":\"/plain\",\"source\":\"%s/idsrc\",\"options\":[\"bind\"]},"
    "{\"destination\":\"/idm\",\"source\":\"%s/idsrc\",\"options\":[\"bind\",\"%s\"]}%s"
    "],"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"user\"},"
    "{\"type\":\"network\"}],"
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}],"
    "\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":65536}],"
    "\"maskedPaths\":[\"/proc/keys\",\"/sys/firmware\"],"
    "\"readonlyPaths\":[\"/proc/sys\"]}}";

static void report(int fd, const char *key, long v)
{
  dprintf(fd, "%s=%ld\n", key, v);
}

static void init_child(int out, struct spec *s, const char *bundle, int *bind_fds)
{
  herr_t err = NULL;
  _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", bundle);
  struct rootfs_ctx c = {.spec = s,
                         .rootfs = rootfs,
                         .new_userns = true,
                         .new_netns = true,
                         .rootfs_fd = -1,
                         .bind_fds = bind_fds};
  if (rootfs_prepare(&c, &err) < 0 || rootfs_pivot(&c, &err) < 0 || rootfs_finalize(&c, &err) < 0) {
    dprintf(out, "error=%s\n", err->msg);
    _exit(1);
  }
  struct stat st;
  report(out, "devnull",
         stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  report(out, "devnull_write", fd >= 0 && write(fd, "x", 1) == 1);
  if (fd >= 0)
    close(fd);
  report(out, "locked_ro", mkdir("/locked/x", 0755) < 0 && errno == EROFS);
  report(out, "locked_file", stat("/locked/mark", &st) == 0);
  report(out, "root_ro", mkdir("/newdir", 0755) < 0 && errno == EROFS);
  fd = open("/proc/keys", O_RDONLY | O_CLOEXEC);
  char buf[8];
  report(out, "masked", fd >= 0 && read(fd, buf, sizeof(buf)) == 0);
  if (fd >= 0)
    close(fd);
  /* Owned by the container's root (the netns belongs to our userns). */
  fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  report(out, "readonly", fd < 0 && errno == EROFS);
  report(out, "sys", stat("/sys/kernel", &st) == 0);
  /* Owned by the host's root: unmapped (65534) through a plain bind, the
   * container's root through the mount idmapped with its user namespace. */
  report(out, "idm_uid", stat("/idm/f", &st) == 0 ? (long)st.st_uid : -1);
  report(out, "plain_uid", stat("/plain/f", &st) == 0 ? (long)st.st_uid : -1);
  _exit(0);
}

/* Can `dir` be idmapped?  Through the public API, with a mapping of its own. */
static bool idmap_supported(const char *dir)
{
  _cleanup_free_ char *json = xasprintf(
      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],"
      "\"cwd\":\"/\"},\"mounts\":[{\"destination\":\"/x\",\"source\":\"%s\",\"options\":[\"bind\","
      "\"idmap\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}],"
      "\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}],\"linux\":{"
      "\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]}}",
      dir);
  struct spec *s = NULL;
  herr_t err = NULL;
  int *fds = NULL;
  bool ok = spec_parse(json, strlen(json), "config.json", &s, &err) == 0 &&
            rootfs_prepare_binds(s, NULL, 0, &fds, &err) == 0;
  if (!ok && err && err->errnum != EINVAL)
    fprintf(stderr, "idmap probe: %s\n", err->msg);
  if (s)
    rootfs_free_binds(s, fds);
  spec_free(s);
  herr_free(&err);
  return ok;
}

/* The parent's prepared bind trees to child A: the index table as data,
 * the valid fds as SCM_RIGHTS in order. */
static int send_binds(int sock, const int *fds, size_t n)
{
  int valid[16];
  size_t nv = 0;
  for (size_t i = 0; i < n && nv < 16; i++)
    if (fds && fds[i] >= 0)
      valid[nv++] = fds[i];
  int table[16];
  for (size_t i = 0; i < n && i < 16; i++)
    table[i] = fds ? fds[i] : -1;
  struct iovec iov = {.iov_base = table, .iov_len = n * sizeof(int)};
  char cbuf[CMSG_SPACE(sizeof(valid))];
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (nv) {
    msg.msg_control = cbuf;
    msg.msg_controllen = CMSG_SPACE(nv * sizeof(int));
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(nv * sizeof(int));
    memcpy(CMSG_DATA(cm), valid, nv * sizeof(int));
  }
  return sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

static int *recv_binds(int sock, size_t n)
{
  int *table = xcalloc(n, sizeof(int));
  char cbuf[CMSG_SPACE(16 * sizeof(int))];
  struct iovec iov = {.iov_base = table, .iov_len = n * sizeof(int)};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0)
    return table;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  int *got = cm ? (int *)CMSG_DATA(cm) : NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (table[i] >= 0)
      table[i] = got ? got[k++] : -1;
  return table;
}

/* Child A: own mount ns with a locked-to-be nosuid,nodev,noexec tmpfs, then
 * a user namespace (mapped by the parent), then the container namespaces. */
static char *run(const char *dir, struct spec *s, bool parent_binds)
{
  int out[2], ready[2], go[2], sock[2];
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 ||
      socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0)
    return NULL;
  pid_t a = fork();
  if (a == 0) {
    close(out[0]);
    close(ready[0]);
    close(go[1]);
    _cleanup_free_ char *locked = xasprintf("%s/locked", dir);
    _cleanup_free_ char *mark = xasprintf("%s/locked/mark", dir);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
        mount("tmpfs", locked, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0 ||
        close(open(mark, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0 || unshare(CLONE_NEWUSER) < 0) {
      dprintf(out[1], "error=setup: %s\n", strerror(errno));
      _exit(1);
    }
    char b = 0;
    if (write(ready[1], &b, 1) != 1 || read(go[0], &b, 1) != 1 || b != 1) {
      dprintf(out[1], "error=no id maps\n");
      _exit(1);
    }
    _cleanup_free_ char *bundle = xasprintf("%s/bundle", dir);
    int *binds = recv_binds(sock[1], s->n_mounts);
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ||
        unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) < 0) {
      dprintf(out[1], "error=enter: %s\n", strerror(errno));
      _exit(1);
    }
    pid_t init = fork();
    if (init == 0)
      init_child(out[1], s, bundle, binds);
    int status;
    waitpid(init, &status, 0);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
  }
  close(out[1]);
  close(ready[1]);
  close(go[0]);
  char b = 0;
  if (read(ready[0], &b, 1) == 1) {
    char path[64], map[64];
    snprintf(map, sizeof(map), "0 %d 65536\n", HOST_ID);
    herr_t err = NULL;
    snprintf(path, sizeof(path), "/proc/%d/uid_map", a);
    int ok = write_file_at(AT_FDCWD, path, map, strlen(map), 0, &err) == 0;
    snprintf(path, sizeof(path), "/proc/%d/gid_map", a);
    ok = ok && write_file_at(AT_FDCWD, path, map, strlen(map), 0, &err) == 0;
    herr_free(&err);
    b = ok ? 1 : 0;
    if (write(go[1], &b, 1) != 1)
      b = 0;
    /* Once A's user namespace is mapped: the idmapped trees, made here. */
    int *fds = NULL;
    _cleanup_free_ char *bundle = xasprintf("%s/bundle", dir);
    if (parent_binds && rootfs_prepare_binds(s, bundle, a, &fds, &err) < 0) {
      fprintf(stderr, "rootfs_prepare_binds: %s\n", err->msg);
      herr_free(&err);
    }
    /* Only the idmapped tree (mounts[5]): A's mount namespace, where the
     * locked tmpfs is, is not ours, so the init opens the other sources. */
    for (size_t i = 0; fds && i < s->n_mounts; i++)
      if (i != 5 && fds[i] >= 0) {
        close(fds[i]);
        fds[i] = -1;
      }
    send_binds(sock[0], fds, s->n_mounts);
    rootfs_free_binds(s, fds);
  }
  close(sock[0]);
  close(sock[1]);
  close(go[1]);
  close(ready[0]);
  char *res = NULL;
  read_all_fd(out[0], &res);
  close(out[0]);
  waitpid(a, NULL, 0);
  return res;
}

int main(void)
{
  if (geteuid() != 0) {
    fprintf(stderr, "test_rootfs_userns: not root, skipping\n");
    return check_done();
  }
  char tmpl[] = "/tmp/hutch-test-rootfs-userns-XXXXXX";
  char *dir = mkdtemp(tmpl);
  CHECK(dir != NULL);
  if (!dir)
    return check_done();
  chmod(dir, 0755);
  _cleanup_free_ char *mk =
      xasprintf("set -e; cd %s; mkdir -p locked idsrc bundle/rootfs/proc bundle/rootfs/dev "
                "bundle/rootfs/sys; touch idsrc/f; chown -R %d:%d bundle",
                dir, HOST_ID, HOST_ID);
  CHECK(system(mk) == 0);

  _cleanup_free_ char *before = NULL, *after = NULL;
  herr_t err = NULL;
  read_file_at(AT_FDCWD, "/proc/self/mountinfo", &before, NULL, &err);

  /* idmapped mounts need the filesystem's support (ext4 yes; tmpfs only
   * since Linux 6.3): probe it, and without it test the rest. */
  bool idmap_ok = idmap_supported(dir);
  if (!idmap_ok)
    fprintf(stderr, "test_rootfs_userns: no idmapped mounts on %s, not testing them\n", dir);
  const char *idopt = idmap_ok ? "idmap" : "rbind";
  _cleanup_free_ char *json = xasprintf(config_fmt, dir, dir, dir, idopt, "");
  struct spec *s = NULL;
  CHECK(spec_parse(json, strlen(json), "config.json", &s, &err) == 0);
  if (s) {
    CHECK(rootfs_needs_parent_binds(s)); /* binds in a user namespace */
    _cleanup_free_ char *out = run(dir, s, true);
    CHECK_MSG(out && !strstr(out, "error="), out);
    static const char *const want[] = {
        "devnull=1", "devnull_write=1", "locked_ro=1", "locked_file=1",
        "root_ro=1", "masked=1",        "readonly=1",  "sys=1"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) - (idmap_ok ? 0 : 1); i++) {
      _cleanup_free_ char *line = xasprintf("%s\n", want[i]);
      CHECK_CONTAINS(out, line);
    }
    spec_free(s);
    s = NULL;
  }
  herr_free(&err);

  /* Asking to clear a locked flag ("suid" on a nosuid source) is an error. */
  _cleanup_free_ char *extra = xasprintf(
      ",{\"destination\":\"/suid\",\"source\":\"%s/locked\",\"options\":[\"bind\",\"suid\"]}", dir);
  _cleanup_free_ char *json2 = xasprintf(config_fmt, dir, dir, dir, idopt, extra);
  CHECK(spec_parse(json2, strlen(json2), "config.json", &s, &err) == 0);
  if (s) {
    _cleanup_free_ char *out = run(dir, s, true);
    CHECK_CONTAINS(out, "error=mounts[6]: bind");
    CHECK_CONTAINS(out, "clear locked mount flags: Operation not permitted");
    spec_free(s);
  }
  herr_free(&err);

  /* Without the parent's trees, an idmap mount in a userns is refused by name. */
  _cleanup_free_ char *json3 = xasprintf(config_fmt, dir, dir, dir, "idmap", "");
  CHECK(spec_parse(json3, strlen(json3), "config.json", &s, &err) == 0);
  if (s) {
    _cleanup_free_ char *out = run(dir, s, false);
    CHECK_CONTAINS(out, "error=mounts[5]: idmap mount on /idm was not prepared outside the "
                        "container's user namespace");
    spec_free(s);
  }
  herr_free(&err);

  read_file_at(AT_FDCWD, "/proc/self/mountinfo", &after, NULL, &err);
  CHECK(before && after && strcmp(before, after) == 0);
  herr_free(&err);
  _cleanup_free_ char *rm = xasprintf("rm -rf %s", dir);
  CHECK(system(rm) == 0);
  return check_done();
}
