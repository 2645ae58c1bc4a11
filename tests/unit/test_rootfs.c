/* The rootfs module: option parsing, root-confined path resolution,
 * and a full prepare/pivot/finalize in a forked child with its
 * own mount/pid/ipc/net/uts namespaces.  The child reports "key=value"
 * lines through a pipe; the parent checks them, and checks that nothing
 * leaked to the host (mountinfo unchanged, the symlinked-out host directory
 * untouched). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/rootfs/mount_options.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/rootfs/rootfs.h"
#include "libcontainer/utils/fileio.h"

static struct spec *parse(const char *json, herr_t *err)
{
  struct spec *s = NULL;
  if (spec_parse(json, strlen(json), "config.json", &s, err) < 0)
    return NULL;
  return s;
}

static void test_options(void)
{
  char *opts[] = {"rbind", "ro",       "nosuid",   "rw",       "rprivate", "slave",
                  "rro",   "rnoatime", "mode=755", "size=64k", "idmap",    "nosymfollow"};
  struct spec_mount m = {.destination = "/x", .options = opts, .n_options = 12};
  struct mount_opts o;
  herr_t err = NULL;
  CHECK(mount_opts_parse(&m, &o, &err) == 0);
  CHECK((o.flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC));
  CHECK(!(o.flags & MS_RDONLY) && (o.cleared & MS_RDONLY)); /* "rw" after "ro" wins */
  CHECK(o.flags & MS_NOSUID);
  CHECK(o.flags & MS_NOSYMFOLLOW);
  CHECK(o.n_propagation == 2 && o.propagation[0] == (MS_PRIVATE | MS_REC) &&
        o.propagation[1] == MS_SLAVE);
  CHECK(o.rec_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME));
  CHECK(o.rec_clr & MOUNT_ATTR__ATIME);
  CHECK(o.idmap && !o.idmap_recursive);
  CHECK_STREQ(o.data, "mode=755,size=64k");
  CHECK(mount_is_bind(&m, &o));
  mount_opts_clear(&o);

  char *opts2[] = {"tmpcopyup", "size=1m"};
  struct spec_mount m2 = {.destination = "/x", .type = "tmpfs", .options = opts2, .n_options = 2};
  CHECK(mount_opts_parse(&m2, &o, &err) == 0 && o.tmpcopyup);
  CHECK_STREQ(o.data, "size=1m"); /* an extension, not passed to the kernel */
  mount_opts_clear(&o);

  struct spec_mount m3 = {.destination = "/x", .type = "bind", .source = "/tmp"};
  CHECK(mount_opts_parse(&m3, &o, &err) == 0 && mount_is_bind(&m3, &o) && o.data == NULL);
  unsigned long f = 0;
  CHECK(mount_propagation_from_name("rshared", &f) == 0 && f == (MS_SHARED | MS_REC));
  CHECK(mount_propagation_from_name("bogus", &f) < 0);
  CHECK(mount_ms_to_attr(MS_RDONLY | MS_NODEV | MS_NOATIME) ==
        (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME));
}

static void test_clean(void)
{
  char *c;
  CHECK_STREQ(c = pathsafe_clean("/a//b/./c/"), "/a/b/c");
  free(c);
  CHECK_STREQ(c = pathsafe_clean("../../etc/../x"), "/x");
  free(c);
  CHECK_STREQ(c = pathsafe_clean("/"), "/");
  free(c);
  CHECK_STREQ(c = pathsafe_clean("/dev/.."), "/");
  free(c);
  CHECK(pathsafe_has_prefix("/proc/sys", "/proc"));
  CHECK(!pathsafe_has_prefix("/procfs", "/proc"));
  CHECK(pathsafe_has_prefix("/proc", "/proc"));
}

/* pathsafe on a plain directory: symlinks pointing out land inside. */
static void test_pathsafe(const char *dir)
{
  _cleanup_free_ char *root = xasprintf("%s/ps-root", dir);
  _cleanup_free_ char *outside = xasprintf("%s/ps-outside", dir);
  mkdir(root, 0755);
  mkdir(outside, 0755);
  int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(rfd >= 0);
  _cleanup_free_ char *abs_link = xasprintf("%s/abs", root);
  _cleanup_free_ char *rel_link = xasprintf("%s/rel", root);
  CHECK(symlink(outside, abs_link) == 0);
  CHECK(symlink("../../../../../../../../ps-outside", rel_link) == 0);

  bool created = false;
  int fd = pathsafe_create(rfd, "/abs/sub", PATHSAFE_DIR, &created);
  CHECK(fd >= 0 && created);
  if (fd >= 0)
    close(fd);
  fd = pathsafe_create(rfd, "/abs/sub", PATHSAFE_DIR, &created);
  CHECK(fd >= 0 && !created);
  if (fd >= 0)
    close(fd);
  _cleanup_free_ char *inside = xasprintf("%s%s/sub", root, outside);
  struct stat st;
  CHECK(stat(inside, &st) == 0 && S_ISDIR(st.st_mode));
  _cleanup_free_ char *host_sub = xasprintf("%s/sub", outside);
  CHECK(stat(host_sub, &st) < 0 && errno == ENOENT);

  fd = pathsafe_create(rfd, "rel/f", PATHSAFE_FILE, NULL);
  CHECK(fd >= 0);
  if (fd >= 0)
    close(fd);
  _cleanup_free_ char *inside_f = xasprintf("%s/ps-outside/f", root);
  CHECK(stat(inside_f, &st) == 0 && S_ISREG(st.st_mode));
  _cleanup_free_ char *host_f = xasprintf("%s/f", outside);
  CHECK(stat(host_f, &st) < 0 && errno == ENOENT);

  char *base = NULL;
  fd = pathsafe_open_parent(rfd, "/abs/newdir/leaf", true, &base);
  CHECK(fd >= 0);
  CHECK_STREQ(base, "leaf");
  free(base);
  if (fd >= 0)
    close(fd);
  fd = pathsafe_open(rfd, "/abs/../../../..", O_PATH | O_DIRECTORY);
  struct stat a, b;
  CHECK(fd >= 0 && fstat(fd, &a) == 0 && fstat(rfd, &b) == 0 && a.st_ino == b.st_ino);
  if (fd >= 0)
    close(fd);
  /* A loop is an error, not a hang. */
  _cleanup_free_ char *loop = xasprintf("%s/loop", root);
  CHECK(symlink("/loop", loop) == 0);
  fd = pathsafe_create(rfd, "/loop/x", PATHSAFE_DIR, NULL);
  CHECK(fd < 0 && errno == ELOOP);
  close(rfd);
}

static const char *config_fmt =
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/work/dir\"},"
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\","
    "\"mode=755\",\"size=1m\",\"ro\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":["
    "\"newinstance\",\"ptmxmode=0666\"]},"
    "{\"destination\":\"/escape/deeper\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":["
    "\"size=1m\"]},"
    "{\"destination\":\"/etc/hostfile\",\"source\":\"%s\",\"options\":[\"bind\",\"ro\"]},"
    "{\"destination\":\"/data\",\"source\":\"%s\",\"options\":[\"rbind\",\"nosuid\","
    "\"private\"]},"
    "{\"destination\":\"/rec\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":"
    "[\"ro\",\"nosuid\"]}"
    "],"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"ipc\"},"
    "{\"type\":\"network\"},{\"type\":\"uts\"}%s],"
    "\"devices\":[{\"path\":\"/dev/hutch-test-dev\",\"type\":\"c\",\"major\":1,\"minor\":5,"
    "\"fileMode\":384,\"uid\":1234,\"gid\":5678},"
    "{\"path\":\"/dev/sub/fifo\",\"type\":\"p\"}],"
    "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmni\":\"1234\"},"
    "\"maskedPaths\":[\"/proc/kcore\",\"/proc/acpi\",\"/proc/keys\",\"/masked-dir\","
    "\"/does/not/exist\"],"
    "\"readonlyPaths\":[\"/proc/sys\",\"/nope\"],"
    "\"rootfsPropagation\":\"rslave\"}}";

static void report(int fd, const char *key, long v)
{
  char line[256];
  int n = snprintf(line, sizeof(line), "%s=%ld\n", key, v);
  write_all(fd, line, (size_t)n);
}

static int read_int_file(const char *path)
{
  char buf[64] = {0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n > 0 ? atoi(buf) : -1;
}

/* Runs as pid 1 of the new pid namespace. */
static void container_child(int out, const char *dir, struct spec *s, const char *bundle)
{
  herr_t err = NULL;
  _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", bundle);
  struct rootfs_ctx c = {
      .spec = s, .rootfs = rootfs, .new_netns = true, .rootfs_fd = -1, .bundle = bundle};
  if (rootfs_prepare(&c, &err) < 0 || rootfs_pivot(&c, &err) < 0 || rootfs_finalize(&c, &err) < 0) {
    dprintf(out, "error=%s\n", err->msg);
    _exit(1);
  }
  struct stat st;
  report(out, "pid1", stat("/proc/1/exe", &st) == 0 && getpid() == 1);
  report(out, "devnull",
         stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
             (st.st_mode & 0777) == 0666);
  report(out, "dev_custom",
         stat("/dev/hutch-test-dev", &st) == 0 && S_ISCHR(st.st_mode) &&
             (st.st_mode & 0777) == 0600 && st.st_uid == 1234 && st.st_gid == 5678);
  report(out, "dev_fifo", lstat("/dev/sub/fifo", &st) == 0 && S_ISFIFO(st.st_mode));
  char link[64] = {0};
  report(out, "ptmx",
         readlink("/dev/ptmx", link, sizeof(link) - 1) > 0 && strcmp(link, "pts/ptmx") == 0);
  memset(link, 0, sizeof(link));
  report(out, "devfd",
         readlink("/dev/fd", link, sizeof(link) - 1) > 0 && strcmp(link, "/proc/self/fd") == 0);
  report(out, "devpts", stat("/dev/pts/ptmx", &st) == 0 && S_ISCHR(st.st_mode));
  /* /dev was "ro": remounted read-only at finalize, after the nodes. */
  report(out, "dev_ro", mknod("/dev/x", S_IFCHR | 0600, makedev(1, 3)) < 0 && errno == EROFS);
  report(out, "root_ro",
         open("/newfile", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
  int fd = open("/proc/keys", O_RDONLY | O_CLOEXEC);
  char buf[16];
  report(out, "masked_file", fd >= 0 && read(fd, buf, sizeof(buf)) == 0);
  if (fd >= 0)
    close(fd);
  report(out, "masked_dir_ro", mkdir("/masked-dir/x", 0755) < 0 && errno == EROFS);
  int entries = 0;
  DIR *d = opendir("/masked-dir");
  while (d && readdir(d))
    entries++;
  if (d)
    closedir(d);
  report(out, "masked_dir_empty", entries == 2); /* "." and ".." */
  fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
  report(out, "readonly_proc_sys", fd < 0 && errno == EROFS);
  report(out, "sysctl_net", read_int_file("/proc/sys/net/ipv4/ip_forward"));
  report(out, "sysctl_ipc", read_int_file("/proc/sys/kernel/shmmni"));
  /* The symlink to the host directory resolved inside the rootfs. */
  char host_path[512];
  snprintf(host_path, sizeof(host_path), "%s/outside/deeper", dir);
  report(out, "escape_inside", stat(host_path, &st) == 0 && S_ISDIR(st.st_mode));
  report(out, "escape_tmpfs", mkdir("/escape/deeper/w", 0755) == 0);
  fd = open("/etc/hostfile", O_RDONLY | O_CLOEXEC);
  report(out, "bind_file", fd >= 0 && read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
  if (fd >= 0)
    close(fd);
  report(out, "bind_file_ro", open("/etc/hostfile", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
  report(out, "rbind_sub", stat("/data/sub/mark", &st) == 0);
  report(out, "rro", mkdir("/rec/x", 0755) < 0 && errno == EROFS);
  report(out, "cgroup_ro", mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
  /* v1/hybrid: per-controller directories; pure v2: the cgroup2 files. */
  report(out, "cgroup_files",
         stat("/sys/fs/cgroup/memory/memory.limit_in_bytes", &st) == 0 ||
             stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0);
  report(out, "cwd", stat("/work/dir", &st) == 0 && S_ISDIR(st.st_mode));
  _cleanup_free_ char *old = xasprintf("%s/hostfile", dir);
  report(out, "old_root_gone", stat(old, &st) < 0 && errno == ENOENT);
  _exit(0);
}

/* Child A plays the host: its own mount namespace made rshared (as on a
 * systemd host, where an unprotected container mount would propagate back),
 * with a submount under data/ for the rbind check.  The init unshares a
 * mount namespace from A's (peers of A's mounts) and sets the rootfs up; A
 * then checks its own mount table did not change. */
static char *run_container(const char *dir, const char *bundle, struct spec *s)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    _cleanup_free_ char *sub = xasprintf("%s/data/sub", dir);
    _cleanup_free_ char *mark = xasprintf("%s/data/sub/mark", dir);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0 ||
        mount("tmpfs", sub, "tmpfs", 0, "size=1m") < 0 ||
        close(open(mark, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0) {
      dprintf(p[1], "error=host setup: %s\n", strerror(errno));
      _exit(1);
    }
    int cgns = spec_find_ns(s, SPEC_NS_CGROUP) ? CLONE_NEWCGROUP : 0;
    if (unshare(CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | cgns) < 0) {
      dprintf(p[1], "error=unshare: %s\n", strerror(errno));
      _exit(1);
    }
    /* Read in the final cgroup namespace: it changes how roots are shown. */
    _cleanup_free_ char *before = NULL, *after = NULL;
    herr_t err = NULL;
    read_file_at(AT_FDCWD, "/proc/self/mountinfo", &before, NULL, &err);
    pid_t init = fork();
    if (init == 0) {
      if (unshare(CLONE_NEWNS) < 0) {
        dprintf(p[1], "error=unshare mnt: %s\n", strerror(errno));
        _exit(1);
      }
      container_child(p[1], dir, s, bundle);
    }
    int status;
    waitpid(init, &status, 0);
    read_file_at(AT_FDCWD, "/proc/self/mountinfo", &after, NULL, &err);
    report(p[1], "shared_host_unchanged", before && after && strcmp(before, after) == 0);
    if (before && after && strcmp(before, after) != 0)
      fprintf(stderr, "host mount table before:\n%s\nafter:\n%s\n", before, after);
    herr_free(&err);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
  }
  close(p[1]);
  char *out = NULL;
  read_all_fd(p[0], &out);
  close(p[0]);
  waitpid(pid, NULL, 0);
  return out;
}

static void test_container(const char *dir, bool cgroupns)
{
  _cleanup_free_ char *bundle = xasprintf("%s/bundle", dir);
  _cleanup_free_ char *mk =
      xasprintf("set -e; cd %s; mkdir -p bundle/rootfs/proc bundle/rootfs/dev bundle/rootfs/etc "
                "bundle/rootfs/sys/fs/cgroup bundle/rootfs/masked-dir outside data/sub; "
                "printf hello > hostfile; ln -sfn %s/outside bundle/rootfs/escape",
                dir, dir);
  CHECK(system(mk) == 0);
  _cleanup_free_ char *hostfile = xasprintf("%s/hostfile", dir);
  _cleanup_free_ char *data = xasprintf("%s/data", dir);
  _cleanup_free_ char *json =
      xasprintf(config_fmt, hostfile, data, cgroupns ? ",{\"type\":\"cgroup\"}" : "");
  herr_t err = NULL;
  struct spec *s = parse(json, &err);
  CHECK_MSG(s != NULL, err ? err->msg : "");
  if (!s)
    return;

  _cleanup_free_ char *before = NULL, *after = NULL;
  read_file_at(AT_FDCWD, "/proc/self/mountinfo", &before, NULL, &err);
  _cleanup_free_ char *out = run_container(dir, bundle, s);
  read_file_at(AT_FDCWD, "/proc/self/mountinfo", &after, NULL, &err);
  CHECK_MSG(out != NULL && strstr(out, "error=") == NULL, out);
  static const char *const want[] = {
      "pid1=1",
      "devnull=1",
      "dev_custom=1",
      "dev_fifo=1",
      "ptmx=1",
      "devfd=1",
      "devpts=1",
      "dev_ro=1",
      "root_ro=1",
      "masked_file=1",
      "masked_dir_ro=1",
      "masked_dir_empty=1",
      "readonly_proc_sys=1",
      "sysctl_net=1",
      "sysctl_ipc=1234",
      "escape_inside=1",
      "escape_tmpfs=1",
      "bind_file=1",
      "bind_file_ro=1",
      "rbind_sub=1",
      "rro=1",
      "cgroup_ro=1",
      "cgroup_files=1",
      "cwd=1",
      "old_root_gone=1",
      "shared_host_unchanged=1",
  };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    _cleanup_free_ char *line = xasprintf("%s\n", want[i]);
    CHECK_CONTAINS(out, line);
  }
  /* Nothing leaked to the host. */
  CHECK_MSG(before && after && strcmp(before, after) == 0, after);
  if (before && after && strcmp(before, after) != 0)
    fprintf(stderr, "before:\n%s\n", before);
  _cleanup_free_ char *host_deeper = xasprintf("%s/outside/deeper", dir);
  struct stat st;
  CHECK(stat(host_deeper, &st) < 0 && errno == ENOENT);
  _cleanup_free_ char *inside = xasprintf("%s/rootfs%s/outside/deeper", bundle, dir);
  CHECK(stat(inside, &st) == 0 && S_ISDIR(st.st_mode));
  spec_free(s);
  herr_free(&err);

  /* A missing bind source: one-line error naming the mount. */
  _cleanup_free_ char *bad = xasprintf(
      "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],"
      "\"cwd\":\"/\"},\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":"
      "\"proc\"},{\"destination\":\"/x\",\"source\":\"/nope-hutch-test\",\"options\":[\"bind\"]}],"
      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}}");
  s = parse(bad, &err);
  CHECK(s != NULL);
  if (s) {
    _cleanup_free_ char *o2 = run_container(dir, bundle, s);
    CHECK_CONTAINS(o2,
                   "error=mounts[1]: bind source /nope-hutch-test: No such file or directory\n");
    spec_free(s);
  }
  _cleanup_free_ char *after2 = NULL;
  read_file_at(AT_FDCWD, "/proc/self/mountinfo", &after2, NULL, &err);
  CHECK(before && after2 && strcmp(before, after2) == 0);
  herr_free(&err);
}

int main(void)
{
  test_options();
  test_clean();
  char tmpl[] = "/tmp/hutch-test-rootfs-XXXXXX";
  char *dir = mkdtemp(tmpl);
  CHECK(dir != NULL);
  if (dir) {
    test_pathsafe(dir);
    if (geteuid() == 0) {
      test_container(dir, false);
      test_container(dir, true); /* in a cgroup namespace: fresh cgroup mounts */
    } else
      fprintf(stderr, "test_rootfs: not root, skipping the namespace tests\n");
    _cleanup_free_ char *rm = xasprintf("rm -rf %s", dir);
    CHECK(system(rm) == 0);
  }
  return check_done();
}
