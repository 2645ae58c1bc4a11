/* fd and file helpers of the runtime: whole writes and reads, files
 * relative to a directory fd, SCM_RIGHTS sends.  Includes spec/base/util.h. */
#ifndef HUTCH_FILEIO_H
#define HUTCH_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "spec/base/util.h"

/* One sendmsg of data (len may be 0 only with fds) carrying nfds (<= 32)
 * fds with SCM_RIGHTS; MSG_NOSIGNAL, EINTR retried.  Returns the bytes
 * sent, or -1 with errno. */
ssize_t send_with_fds(int sock, const void *data, size_t len, const int *fds, size_t nfds);
/* Read an fd to EOF into a NUL-terminated malloc'd buffer. Returns length or -1. */
ssize_t read_all_fd(int fd, char **out);
/* Write a string to dirfd/path (O_WRONLY|O_CLOEXEC, no O_CREAT unless create). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, int create,
                  herr_t *err);
/* Read dirfd/path whole into *out. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, herr_t *err);

/* Write data to path atomically (temp file in the same dir + rename). */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, herr_t *err);
/* Create path (O_EXCL) and write data: for the files of a state dir that
 * `create` has just made and that nobody reads before state.json exists
 * (one write(2) of a small file is not torn by a kill; no rename needed). */
int write_file_new(const char *path, const char *data, size_t len, mode_t mode, herr_t *err);
/* The same for a name in dirfd, never following a symlink there (the files
 * of the state root: nobody else can write it, but a link is never ours). */
int write_file_atomic_nofollow(int dirfd, const char *name, const char *data, size_t len,
                               mode_t mode, herr_t *err);
int write_file_new_nofollow(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                            herr_t *err);
/* Read dirfd/name whole: O_NOFOLLOW, and only a regular file (no fifo to
 * block on). */
int read_file_nofollow(int dirfd, const char *name, char **out, size_t *len, herr_t *err);
/* --pid-file: the pid in decimal, written atomically (0644); the error
 * names --pid-file. */
int write_pid_file(const char *path, pid_t pid, herr_t *err);
/* mkdir -p: every missing directory of path with mode; "mkdir DIR: ..."
 * names the one that could not be made. */
int mkdir_p(const char *path, mode_t mode, herr_t *err);

#endif
