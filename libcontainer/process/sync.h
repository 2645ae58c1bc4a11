/* The one protocol between hutch and every child it forks: the container
 * init (`create`, `run`), the exec child (`exec`), and, after READY, the
 * init and `hutch start` (over the connection start makes to exec.sock).
 *
 * One message per SOCK_SEQPACKET packet: a fixed header {type, errnum, pid,
 * len}, then len payload bytes (a NUL-terminated string: an error message,
 * a state JSON document), and up to SYNC_MAX_FDS fds by SCM_RIGHTS.  Every
 * message goes out through sync_send_msg() and comes in through
 * sync_recv_fds(); the other functions are shorthands for them.  A failure
 * travels one way, whatever the phase: SYNC_ERROR with the errno in .errnum
 * and the full message as payload (sync_send_error), rebuilt on the other
 * side into the same herr_t (sync_error).  An EOF where a reply was due
 * means the child exec'ed (its end is close-on-exec) or died. */
#ifndef HUTCH_SYNC_H
#define HUTCH_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "spec/base/error.h"

enum sync_type {
  /* create/run: the parent and the container init. */
  SYNC_GO = 1,  /* parent -> init: cgroup placed (and id maps written if cloned with a userns) */
  SYNC_USERMAP, /* init -> parent: I unshared a user namespace, write my id maps */
  SYNC_USERMAP_ACK, /* parent -> init */
  SYNC_PID,         /* intermediate -> parent: the real init's pid (host view), in .pid */
  SYNC_PID_ACK,     /* parent -> init: the parent knows the init's pid */
  SYNC_TIMENS,      /* init -> parent: time namespace unshared, write linux.timeOffsets */
  SYNC_TIMENS_ACK,  /* parent -> init */
  SYNC_HOOKS,       /* init -> parent: rootfs prepared, run prestart + createRuntime hooks */
  SYNC_HOOKS_DONE,  /* parent -> init: payload = state JSON for createContainer/startContainer */
  /* init or exec child -> hutch: the seccomp notify fd (SCM_RIGHTS) for listenerPath */
  SYNC_SECCOMP,
  SYNC_SECCOMP_ACK, /* hutch -> child: handed to the listener, go on */
  SYNC_READY,       /* init -> parent: everything done, waiting for START */
  SYNC_ERROR,       /* child -> hutch: .errnum + message payload; the child exits */
  SYNC_START, /* hutch -> init: exec the process (`run`: on the sync socket; `start`: on exec.sock)
               */
  /* exec: the exec child and `hutch exec`. */
  SYNC_PTY, /* exec child -> hutch: the pty master (SCM_RIGHTS), -t without --console-socket */
};

#define SYNC_MAX_PAYLOAD (64 * 1024)
#define SYNC_MAX_FDS 32 /* fds in one message */

struct sync_msg {
  uint32_t type;
  int32_t errnum;
  int32_t pid;
  uint32_t len; /* payload bytes that follow, the terminating NUL included (0: none) */
};

/* The one sender: a message of `type` with errnum, pid, payload (a string,
 * NULL: none; longer than SYNC_MAX_PAYLOAD: EMSGSIZE) and nfds (<=
 * SYNC_MAX_FDS) fds.  Returns 0 or -1 with errno. */
int sync_send_msg(int sock, enum sync_type type, int errnum, int pid, const char *payload,
                  const int *fds, size_t nfds);
/* The one receiver: one message into *m; *payload (malloc'd, NUL-terminated,
 * NULL when none; payload may be NULL to drop it); up to max passed fds
 * (O_CLOEXEC) into fds, *nfds says how many (more are closed).  A message
 * that is shorter or longer than its header says, or whose payload is not a
 * string, is EPROTO (its fds closed).  Returns 1 on a message, 0 on EOF, -1
 * with errno. */
int sync_recv_fds(int sock, struct sync_msg *m, char **payload, int *fds, size_t max, size_t *nfds);

/* Shorthands. */
int sync_send(int sock, enum sync_type type, int errnum, int pid, const char *payload);
int sync_send_fd(int sock, enum sync_type type, int passfd); /* passfd < 0: none */
int sync_send_fds(int sock, enum sync_type type, const int *fds, size_t nfds);
/* A passed fd (O_CLOEXEC) goes to *rfd (-1 when none; rfd NULL: closed). */
int sync_recv_fd(int sock, struct sync_msg *m, char **payload, int *rfd);
int sync_recv(int sock, struct sync_msg *m, char **payload);

/* Errors, the one way they travel: send err as SYNC_ERROR (errnum and
 * message; a message too long is cut), and rebuild it from a received
 * SYNC_ERROR (returns -1). */
void sync_send_error(int sock, herr_t *err);
int sync_error(const struct sync_msg *m, const char *payload, herr_t *err);
/* Wait for a message of `type`; an unexpected message or EOF is an error
 * ("<what>: ..."), a SYNC_ERROR is rebuilt into err. */
int sync_expect(int sock, enum sync_type type, char **payload, const char *what, herr_t *err);

#endif
