/* Root-confined path resolution: openat2(RESOLVE_IN_ROOT) for lookups, and a
 * component-by-component walker (symlinks expanded inside the root, ".."
 * clamped at the root) when something has to be created. */
#include "libcontainer/rootfs/pathsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/utils/fileio.h"

#define MAX_SYMLINKS 40

int pathsafe_open(int rootfd, const char *path, int oflags)
{
  struct hutch_open_how how = {
      .flags = (uint64_t)(oflags | O_CLOEXEC),
      .resolve = HUTCH_RESOLVE_IN_ROOT | HUTCH_RESOLVE_NO_MAGICLINKS,
  };
  int fd;
  /* EAGAIN: a concurrent rename raced with a ".." lookup; retry. */
  for (int tries = 0; tries < 32; tries++) {
    fd = sys_openat2(rootfd, *path ? path : ".", &how);
    if (fd >= 0 || errno != EAGAIN)
      break;
  }
  return fd;
}

/* The directory stack of the walker: fds of the physical path from the root
 * (stack[0] is the caller's rootfd, not owned). */
struct walk {
  int *fds;
  size_t depth, cap;
};

static void walk_push(struct walk *w, int fd)
{
  if (w->depth + 1 >= w->cap) {
    w->cap = w->cap ? w->cap * 2 : 16;
    w->fds = xrealloc(w->fds, w->cap * sizeof(int));
  }
  w->fds[++w->depth] = fd;
}

static void walk_pop_to(struct walk *w, size_t depth)
{
  while (w->depth > depth)
    close(w->fds[w->depth--]);
}

/* Open component `name` of directory `dirfd` as O_PATH without following it,
 * creating it when asked.  *st is filled unless it is known to be a dir. */
static int walk_open(int dirfd, const char *name, enum pathsafe_create how, bool last,
                     struct stat *st)
{
  for (int tries = 0; tries < 8; tries++) {
    /* Common case: an existing directory, one syscall. */
    if (!last || how != PATHSAFE_FILE) {
      int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0) {
        st->st_mode = S_IFDIR;
        return fd;
      }
      if (errno != ENOTDIR && errno != ENOENT)
        return -1;
    }
    /* ENOENT above: nothing there, skip straight to creating it. */
    int fd = -1;
    if (errno != ENOENT || (last && how == PATHSAFE_FILE))
      fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      if (fstat(fd, st) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
      }
      return fd;
    }
    if (errno != ENOENT || how == PATHSAFE_NOCREATE)
      return -1;
    if (last && how == PATHSAFE_FILE) {
      int f = openat(dirfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
      if (f >= 0)
        close(f);
      else if (errno != EEXIST)
        return -1;
    } else if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
      return -1;
    }
    /* Created (or raced with someone creating it): look it up again. */
  }
  errno = ELOOP;
  return -1;
}

/* Walk `path` inside rootfd.  stop_before_last: return the parent directory
 * and the last component in *base instead of opening it. */
static int walk(int rootfd, const char *path, enum pathsafe_create how, bool stop_before_last,
                char **base)
{
  struct walk w = {.fds = xmalloc(16 * sizeof(int)), .depth = 0, .cap = 16};
  w.fds[0] = rootfd;
  char *buf = xstrdup(path);
  char *p = buf;
  int links = 0, result = -1, saved = 0;

  for (;;) {
    while (*p == '/')
      p++;
    char *end = strchrnul(p, '/');
    char *next = end;
    while (*next == '/')
      next++;
    bool last = *next == '\0';
    if (*p == '\0') {
      if (stop_before_last) {
        saved = EINVAL; /* the path names the root itself */
        goto out;
      }
      result = w.depth ? w.fds[w.depth] : openat(rootfd, ".", O_PATH | O_CLOEXEC);
      if (w.depth)
        w.depth--;
      saved = errno;
      goto out;
    }
    size_t len = (size_t)(end - p);
    char name[NAME_MAX + 1];
    if (len > NAME_MAX) {
      saved = ENAMETOOLONG;
      goto out;
    }
    memcpy(name, p, len);
    name[len] = '\0';
    p = next;
    if (strcmp(name, ".") == 0 && !(last && stop_before_last))
      continue;
    if (strcmp(name, "..") == 0 && !(last && stop_before_last)) {
      if (w.depth > 0)
        walk_pop_to(&w, w.depth - 1);
      continue;
    }
    if (last && stop_before_last) {
      if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        saved = EINVAL;
        goto out;
      }
      *base = xstrdup(name);
      result = w.depth ? w.fds[w.depth] : openat(rootfd, ".", O_PATH | O_CLOEXEC);
      if (w.depth)
        w.depth--;
      saved = errno;
      goto out;
    }
    struct stat st;
    int fd = walk_open(w.fds[w.depth], name, how, last, &st);
    if (fd < 0) {
      saved = errno;
      goto out;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > MAX_SYMLINKS) {
        close(fd);
        saved = ELOOP;
        goto out;
      }
      char target[PATH_MAX];
      ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
      close(fd);
      if (n < 0) {
        saved = errno;
        goto out;
      }
      target[n] = '\0';
      if (target[0] == '/')
        walk_pop_to(&w, 0);
      /* Continue with the link's target followed by what was left. */
      char *rest = xasprintf("%s/%s", target, p);
      free(buf);
      buf = p = rest;
      continue;
    }
    if (!last) {
      if (!S_ISDIR(st.st_mode)) {
        close(fd);
        saved = ENOTDIR;
        goto out;
      }
      walk_push(&w, fd);
      continue;
    }
    result = fd;
    goto out;
  }
out:
  walk_pop_to(&w, 0);
  free(w.fds);
  free(buf);
  if (result < 0)
    errno = saved ? saved : EINVAL;
  return result;
}

/* The usual miss: only the last component is missing.  Open the parent
 * (one openat2), create the entry, open it without following.  Returns -2
 * when the general walker must take over. */
static int create_last(int rootfd, const char *path, enum pathsafe_create how)
{
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strlen(name) > NAME_MAX)
    return -2;
  char parent_path[PATH_MAX];
  size_t plen = slash ? (size_t)(slash - path) : 0;
  if (plen >= sizeof(parent_path))
    return -2;
  memcpy(parent_path, path, plen);
  parent_path[plen] = '\0';
  _cleanup_close_ int parent =
      pathsafe_open(rootfd, plen ? parent_path : ".", O_PATH | O_DIRECTORY);
  if (parent < 0)
    return -2;
  if (how == PATHSAFE_FILE) {
    int f = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
    if (f < 0)
      return -2;
    close(f);
    return openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  }
  if (mkdirat(parent, name, 0755) < 0)
    return -2;
  return openat(parent, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
}

int pathsafe_make(int rootfd, const char *path, enum pathsafe_create how)
{
  int fd = create_last(rootfd, path, how);
  if (fd != -2)
    return fd;
  return walk(rootfd, path, how, false, NULL);
}

int pathsafe_create(int rootfd, const char *path, enum pathsafe_create how, bool *created)
{
  if (created)
    *created = false;
  int fd = pathsafe_open(rootfd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT || how == PATHSAFE_NOCREATE)
    return fd;
  if (created)
    *created = true;
  return pathsafe_make(rootfd, path, how);
}

int pathsafe_open_parent(int rootfd, const char *path, bool mkdir, char **base)
{
  return walk(rootfd, path, mkdir ? PATHSAFE_DIR : PATHSAFE_NOCREATE, true, base);
}

char *pathsafe_clean(const char *path)
{
  size_t n = strlen(path);
  char *out = xmalloc(n + 2);
  size_t o = 0;
  out[o++] = '/';
  const char *p = path;
  while (*p) {
    while (*p == '/')
      p++;
    if (!*p)
      break;
    const char *e = strchrnul(p, '/');
    size_t len = (size_t)(e - p);
    if (len == 1 && p[0] == '.') {
      /* skip */
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      while (o > 1 && out[o - 1] != '/')
        o--;
      if (o > 1)
        o--; /* drop the slash too */
    } else {
      if (o > 1)
        out[o++] = '/';
      memcpy(out + o, p, len);
      o += len;
    }
    p = e;
  }
  out[o] = '\0';
  return out;
}

bool pathsafe_has_prefix(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return true;
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
