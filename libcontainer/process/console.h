/* The container console (runtime-spec process.terminal) and the
 * --console-socket protocol runc uses: the runtime creates a pty inside the
 * container and sends its master over a unix stream socket as one message
 * whose data is the pty name ("/dev/ptmx") and whose SCM_RIGHTS carries the
 * fd. */
#ifndef HUTCH_CONSOLE_H
#define HUTCH_CONSOLE_H

#include <stddef.h>

#include "spec/base/error.h"

/* Parent (hutch create/run), before forking the init: connect to --console-socket PATH (a unix
 * stream socket). Returns the connected fd (O_CLOEXEC; the lifecycle clears CLOEXEC or passes it to
 * the init). */
int console_socket_connect(const char *path, herr_t *err);
/* Init, after rootfs_pivot (devpts is mounted at /dev/pts): open a new pty from /dev/ptmx, apply
 * consoleSize (height/width, 0 = leave), send the master over socket_fd with SCM_RIGHTS (as runc
 * does: one message, the fd, data = the pty name), bind-mount the slave onto /dev/console (creating
 * it if needed), make the slave the controlling terminal (setsid, TIOCSCTTY) and dup it onto fds 0,
 * 1, 2. Closes the master in the init.  socket_fd is left open (the caller closes it). */
int console_setup_in_container(int socket_fd, unsigned height, unsigned width, herr_t *err);

/* Clear ONLCR on a pty (either end: the flags are the slave's), as runc
 * does: the process's "\n" reaches the caller as "\n", not "\r\n". */
int console_clear_onlcr(int fd, herr_t *err);

/* Helpers shared with the tests and tests/tools/recvtty. */
/* Send fd over the unix socket sock in one message with `name` as data. */
int console_send_fd(int sock, int fd, const char *name, herr_t *err);
/* Receive one fd (made O_CLOEXEC) sent by console_send_fd; the data (the pty
 * name) is copied NUL-terminated into name[namelen] when name is not NULL.
 * Returns the fd. */
int console_recv_fd(int sock, char *name, size_t namelen, herr_t *err);

#endif
