/* State directory and state.json. */
#include "libcontainer/container/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/utils/fileio.h"

/* A root others could write is not ours to trust: they could plant state,
 * links or seccomp cache entries in it. */
static int root_check(int fd, const char *root, herr_t *err)
{
  struct stat st;
  if (fstat(fd, &st) < 0)
    return herr_sys(err, "--root %s", root);
  if (!S_ISDIR(st.st_mode))
    return herr_set(err, ENOTDIR, "--root %s: not a directory", root);
  if (st.st_uid != geteuid())
    return herr_set(err, EPERM, "--root %s: owned by uid %u, not by uid %u", root,
                    (unsigned)st.st_uid, (unsigned)geteuid());
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return herr_set(err, EPERM, "--root %s: writable by group or others (mode %04o)", root,
                    (unsigned)(st.st_mode & 07777));
  return 0;
}

int state_root_open(const char *root, bool create, herr_t *err)
{
  if (!root || !*root)
    return herr_set(err, EINVAL, "--root: empty path");
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    if (mkdir_p(root, 0700, err) < 0)
      return herr_wrap(err, "--root");
    fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0) {
    if (errno == ENOTDIR)
      return herr_set(err, ENOTDIR, "--root %s: not a directory", root);
    return herr_sys(err, "--root %s", root);
  }
  if (root_check(fd, root, err) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int state_dir_create(int root_fd, const char *id, herr_t *err)
{
  if (mkdirat(root_fd, id, 0700) < 0) {
    if (errno == EEXIST)
      return herr_set(err, EEXIST, "container %s already exists", id);
    return herr_sys(err, "mkdir %s", id);
  }
  int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    herr_sys(err, "open %s", id);
    unlinkat(root_fd, id, AT_REMOVEDIR);
  }
  return fd;
}

static int start_sock_addr(const struct container *c, struct sockaddr_un *sa, herr_t *err)
{
  memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  /* Through the state dir's fd: short whatever --root is, and no link in
   * the path is followed. */
  int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", c->dir_fd,
                   STATE_START_SOCK);
  if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
    return herr_set(err, ENAMETOOLONG, "%s/%s: path too long for a socket", c->state_dir,
                    STATE_START_SOCK);
  return 0;
}

int state_start_listen(const struct container *c, herr_t *err)
{
  struct sockaddr_un sa;
  if (start_sock_addr(c, &sa, err) < 0)
    return -1;
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return herr_sys(err, "socket for %s", STATE_START_SOCK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
    herr_sys(err, "listen on %s/%s", c->state_dir, STATE_START_SOCK);
    close(fd);
    return -1;
  }
  return fd;
}

int state_start_connect(const struct container *c, herr_t *err)
{
  struct sockaddr_un sa;
  if (start_sock_addr(c, &sa, err) < 0)
    return -1;
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return herr_sys(err, "socket");
  int r;
  do
    r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int saved = errno;
    close(fd);
    if (saved == ECONNREFUSED || saved == ENOENT)
      return herr_set(err, ESRCH, "the container init is gone");
    errno = saved;
    return herr_sys(err, "connect to %s/%s", c->state_dir, STATE_START_SOCK);
  }
  return fd;
}

int state_dir_open(int root_fd, const char *id, herr_t *err)
{
  int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  /* A link (ELOOP) or a file (ENOTDIR) there is not a container of ours. */
  if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
    return herr_set(err, ENOENT, "container %s does not exist", id);
  return herr_sys(err, "container %s: open the state directory", id);
}

static bool has_file(int dir_fd, const char *name, mode_t type)
{
  struct stat st;
  return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == type;
}

bool state_dir_is_container(int dir_fd)
{
  if (has_file(dir_fd, STATE_FILE, S_IFREG) || has_file(dir_fd, STATE_CGROUP, S_IFREG) ||
      has_file(dir_fd, STATE_START_SOCK, S_IFSOCK))
    return true;
  /* Nothing written yet: a container only while its create holds the lock. */
  _cleanup_close_ int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (flock(fd, LOCK_SH | LOCK_NB) < 0)
    return errno == EWOULDBLOCK;
  return false;
}

bool state_dir_remove_if_empty(const char *root, const char *id)
{
  _cleanup_herr_ herr_t e = NULL;
  _cleanup_close_ int root_fd = state_root_open(root, false, &e);
  if (root_fd < 0)
    return false;
  _cleanup_close_ int fd = state_dir_open(root_fd, id, &e);
  if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
    return false; /* gone, a link, or a create holding it */
  /* rmdir removes only an empty directory: nothing in it to lose. */
  return unlinkat(root_fd, id, AT_REMOVEDIR) == 0;
}

void state_dir_remove(struct container *c)
{
  if (c->dir_fd < 0 || c->root_fd < 0)
    return;
  int fd = openat(c->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (d) {
    struct dirent *de;
    while ((de = readdir(d))) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
  } else if (fd >= 0) {
    close(fd);
  }
  /* Only the directory we opened: never one a link or a rename put there. */
  struct stat a, b;
  if (fstat(c->dir_fd, &a) == 0 && fstatat(c->root_fd, c->id, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
      a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    unlinkat(c->root_fd, c->id, AT_REMOVEDIR);
}

int state_write(const struct container *c, herr_t *err)
{
  json_t *j = json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:s}", "ociVersion", "1.3.0", "id",
                        c->id, "pid", (json_int_t)c->pid, "pid_start", (json_int_t)c->pid_start,
                        "bundle", c->bundle ? c->bundle : "", "rootfs", c->rootfs ? c->rootfs : "",
                        "created", c->created ? c->created : "", "owner", c->owner ? c->owner : "");
  if (!j)
    return herr_set(err, 0, "state.json: cannot build the document");
  if (c->cgroup) {
    json_t *cg = cgroup_manager_to_json(c->cgroup);
    if (cg)
      json_object_set_new(j, "cgroup", cg);
  }
  char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!text)
    return herr_set(err, 0, "state.json: cannot serialise");
  int r = write_file_atomic_nofollow(c->dir_fd, STATE_FILE, text, strlen(text), 0600, err);
  free(text);
  return r;
}

int state_write_cgroup(const struct container *c, herr_t *err)
{
  if (!c->cgroup)
    return 0;
  json_t *j = cgroup_manager_to_json(c->cgroup);
  char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (!text)
    return herr_set(err, 0, "%s: cannot serialise", STATE_CGROUP);
  int r = write_file_new_nofollow(c->dir_fd, STATE_CGROUP, text, strlen(text), 0600, err);
  free(text);
  return r;
}

int state_read_cgroup(struct container *c, herr_t *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", c->state_dir, STATE_CGROUP);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  _cleanup_herr_ herr_t e = NULL;
  if (read_file_nofollow(c->dir_fd, STATE_CGROUP, &text, &len, &e) < 0) {
    if (e->errnum == ENOENT)
      return 0;
    herr_from_parts(err, e->errnum, e->msg);
    return -1;
  }
  if (len == 0)
    return 0; /* created, killed before the write: the cgroup was not made yet */
  json_error_t jerr;
  json_t *j = json_loadb(text, len, 0, &jerr);
  if (!j)
    return herr_set(err, 0, "%s: corrupt: %s", path, jerr.text);
  struct cgroup_manager *m = NULL;
  int r = cgroup_manager_from_json(j, c->id, &m, err);
  json_decref(j);
  if (r < 0)
    return herr_wrap(err, "%s", path);
  cgroup_manager_free(c->cgroup);
  c->cgroup = m;
  return 1;
}

static char *jstr(json_t *j, const char *key)
{
  const char *s = json_string_value(json_object_get(j, key));
  return s ? xstrdup(s) : NULL;
}

int state_read(struct container *c, herr_t *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", c->state_dir, STATE_FILE);
  _cleanup_free_ char *text = NULL;
  size_t n = 0;
  _cleanup_herr_ herr_t e = NULL;
  if (read_file_nofollow(c->dir_fd, STATE_FILE, &text, &n, &e) < 0) {
    if (e->errnum == ENOENT)
      return 0;
    return herr_set(err, e->errnum, "%s: %s", c->state_dir, e->msg);
  }
  return state_parse(c, text, n, path, err) < 0 ? -1 : 1;
}

int state_parse(struct container *c, const char *text, size_t len, const char *path, herr_t *err)
{
  json_error_t jerr;
  json_t *j = json_loadb(text, len, 0, &jerr);
  if (!j || !json_is_object(j)) {
    json_decref(j);
    return herr_set(err, 0, "%s: corrupt state file: %s", path, j ? "not an object" : jerr.text);
  }
  free(c->bundle);
  free(c->rootfs);
  free(c->created);
  free(c->owner);
  c->bundle = jstr(j, "bundle");
  c->rootfs = jstr(j, "rootfs");
  c->created = jstr(j, "created");
  c->owner = jstr(j, "owner");
  c->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
  c->pid_start = (unsigned long long)json_integer_value(json_object_get(j, "pid_start"));
  json_t *cg = json_object_get(j, "cgroup");
  if (cg && !c->cgroup) {
    if (cgroup_manager_from_json(cg, c->id, &c->cgroup, err) < 0) {
      json_decref(j);
      return herr_wrap(err, "%s", path) /* the message starts with "cgroup: " */;
    }
  }
  json_decref(j);
  return 0;
}

/* /proc/<pid>/stat read into buf; a pointer to field 3 (state), or NULL
 * when the process does not exist. */
static char *proc_stat_read(pid_t pid, char *buf, size_t size)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  /* comm may contain spaces and parentheses: fields start after the last ')'. */
  char *p = strrchr(buf, ')');
  return p && p[1] == ' ' ? p + 2 : NULL;
}

pid_t proc_stat_ppid(pid_t pid)
{
  char buf[1024];
  const char *p = proc_stat_read(pid, buf, sizeof(buf));
  return p && p[0] && p[1] == ' ' ? (pid_t)atoi(p + 2) : 0; /* field 4 */
}

int proc_stat_start(pid_t pid, unsigned long long *start, char *state)
{
  char buf[1024];
  char *p = proc_stat_read(pid, buf, sizeof(buf));
  if (!p)
    return -1;
  if (state)
    *state = *p;
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (!p)
      return -1;
    p++;
  }
  if (start)
    *start = strtoull(p, NULL, 10);
  return 0;
}

bool proc_alive(pid_t pid, unsigned long long start)
{
  if (pid <= 0)
    return false;
  unsigned long long st;
  char s;
  if (proc_stat_start(pid, &st, &s) < 0)
    return false;
  if (s == 'Z' || s == 'X' || s == 'x')
    return false;
  return st == start;
}

char *rfc3339nano_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char date[64], frac[16] = "";
  strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts.tv_nsec) {
    snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
    size_t l = strlen(frac);
    while (l > 1 && frac[l - 1] == '0')
      frac[--l] = '\0';
  }
  return xasprintf("%s%sZ", date, frac);
}
