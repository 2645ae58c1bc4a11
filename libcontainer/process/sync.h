/* The parent <-> init protocol over a SOCK_SEQPACKET socketpair: one
 * message per packet, a fixed header and an optional payload (an error
 * message, a state JSON document). */
#ifndef HUTCH_SYNC_H
#define HUTCH_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "spec/base/error.h"

enum sync_type {
  SYNC_GO = 1,  /* parent -> init: cgroup placed (and id maps written if cloned with a userns) */
  SYNC_USERMAP, /* init -> parent: I unshared a user namespace, write my id maps */
  SYNC_USERMAP_ACK, /* parent -> init */
  SYNC_PID,         /* intermediate -> parent: the real init's pid (host view), in .pid */
  SYNC_PID_ACK,     /* parent -> init: the parent knows the init's pid */
  SYNC_TIMENS,      /* init -> parent: time namespace unshared, write linux.timeOffsets */
  SYNC_TIMENS_ACK,  /* parent -> init */
  SYNC_HOOKS,       /* init -> parent: rootfs prepared, run prestart + createRuntime hooks */
  SYNC_HOOKS_DONE,  /* parent -> init: payload = state JSON for createContainer/startContainer */
  SYNC_SECCOMP,     /* init -> parent: the seccomp notify fd (SCM_RIGHTS) for listenerPath */
  SYNC_SECCOMP_ACK, /* parent -> init: handed to the listener */
  SYNC_READY,       /* init -> parent: everything done, about to block on exec.fifo */
  SYNC_ERROR,       /* init -> parent: .errnum + message payload; the init exits */
  SYNC_START,       /* parent -> init (`run` only, instead of exec.fifo): exec the process */
};

#define SYNC_MAX_PAYLOAD (64 * 1024)
#define SYNC_MAX_FDS 32 /* fds in one message */

struct sync_msg {
  uint32_t type;
  int32_t errnum;
  int32_t pid;
  uint32_t len; /* payload bytes that follow (NUL-terminated within len) */
};

/* Send a message (payload may be NULL). Returns 0 or -1 with errno. */
int sync_send(int fd, enum sync_type type, int errnum, int pid, const char *payload);
/* Send a bare message of `type` carrying passfd with SCM_RIGHTS. */
int sync_send_fd(int fd, enum sync_type type, int passfd);
/* The same with nfds (<= SYNC_MAX_FDS) fds. */
int sync_send_fds(int fd, enum sync_type type, const int *fds, size_t nfds);
/* Like sync_recv; up to max passed fds (O_CLOEXEC) go to fds, *nfds says
 * how many (more are closed). */
int sync_recv_fds(int fd, struct sync_msg *m, char **payload, int *fds, size_t max, size_t *nfds);
/* Like sync_recv; a passed fd (O_CLOEXEC) goes to *rfd (-1 when none). */
int sync_recv_fd(int fd, struct sync_msg *m, char **payload, int *rfd);
/* Receive one message; *payload (malloc'd, NUL-terminated) may be NULL when
 * the message had none.  Returns 1 on a message, 0 on EOF, -1 with errno. */
int sync_recv(int fd, struct sync_msg *m, char **payload);
/* Send an error object (SYNC_ERROR). */
void sync_send_error(int fd, herr_t *err);
/* Wait for a message of `type`; an unexpected message or EOF is an error
 * ("<what>: ..."), a SYNC_ERROR is rebuilt into err. */
int sync_expect(int fd, enum sync_type type, char **payload, const char *what, herr_t *err);

#endif
