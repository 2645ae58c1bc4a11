/* Resolving container paths inside a root directory without ever leaving it
 * (CVE-2021-30465): every lookup is relative to an fd of the root, symlinks
 * (absolute or with "..") are resolved as if the root were "/", magic links
 * are refused.  Functions return an fd (O_CLOEXEC) or -1 with errno set; the
 * caller words the error with the container-side path. */
#ifndef HUTCH_PATHSAFE_H
#define HUTCH_PATHSAFE_H

#include <stdbool.h>
#include <sys/types.h>

enum pathsafe_create {
  PATHSAFE_NOCREATE, /* everything must exist */
  PATHSAFE_DIR,      /* create missing components as directories */
  PATHSAFE_FILE,     /* as DIR, but a missing last component is an empty regular file */
};

/* Open `path` (absolute or relative, always taken inside rootfd) with
 * oflags (O_PATH, O_RDONLY|O_DIRECTORY, ...).  One openat2() call. */
int pathsafe_open(int rootfd, const char *path, int oflags);

/* Open `path` as O_PATH, creating what is missing as `how` says (directories
 * 0755, files 0644, both minus umask).  Fast path: one openat2().
 * *created (may be NULL) tells whether the path had to be made. */
int pathsafe_create(int rootfd, const char *path, enum pathsafe_create how, bool *created);
/* The same when the caller already knows `path` does not exist. */
int pathsafe_make(int rootfd, const char *path, enum pathsafe_create how);

/* Open the parent directory of `path` as O_PATH (creating missing directories
 * when mkdir is true) and return the last component in *base (malloc'd, never
 * "", "." or "..").  Used to create device nodes and symlinks with *at()
 * calls that do not follow the last component. */
int pathsafe_open_parent(int rootfd, const char *path, bool mkdir, char **base);

/* Lexically clean an absolute container path: collapse "//", "." and ".."
 * (never above "/").  Returns a malloc'd string starting with "/". */
char *pathsafe_clean(const char *path);

/* True if clean path `path` is `dir` or below it (both cleaned, absolute). */
bool pathsafe_has_prefix(const char *path, const char *dir);

#endif
