/* The foreground terminal relay of `hutch exec -t` and `hutch run` with
 * process.terminal and no --console-socket: the caller's terminal (fds 0
 * and 1) <-> the container's pty master, until the process exits.
 *
 *  - stdin that is a terminal is put in raw mode (keys such as ^C reach the
 *    container's pty, whose line discipline turns them into signals) and
 *    restored on every return path;
 *  - the pty gets the caller's window size, again on every SIGWINCH;
 *  - EOF on stdin sends the pty's VEOF character (^D), twice when a line is
 *    pending, so `echo cmd | hutch exec -t ID sh` ends;
 *  - event driven (poll): bounded buffers (64 KiB each way); input is read
 *    only while the pty accepts it, output only while stdout takes it, so a
 *    slow side never stalls the other and memory stays bounded; stdin and
 *    stdout get their own non-blocking file descriptions (reopened through
 *    /proc/self/fd) so the caller's shell never sees O_NONBLOCK;
 *  - signals: the caller BLOCKS all signals (sigprocmask) before forking the
 *    process; the relay reads them from a signalfd: SIGWINCH resizes,
 *    SIGCHLD reaps (any child: a subreaper's orphans too), SIGPIPE, SIGTTIN,
 *    SIGTTOU and SIGURG are dropped, every other signal is forwarded to
 *    `child`;
 *  - after `child` exits, the output still in the pty is copied (until the
 *    master reports EIO, or 200 ms pass without output when some other
 *    process of the container keeps the pty open).
 *
 * Usage (hutch run -t, in cmd/run.c): block all signals; create the
 * container with a socketpair as its console socket and receive the master
 * (console_recv_fd) ; start it; then
 *     int status;
 *     if (tty_relay_run(master, init_pid, &status, &err) < 0) ...
 *     exit with status.
 * Returns 0 with *exit_status = the child's exit status (128+N when killed
 * by signal N), or -1 on a relay failure (the terminal is restored; the
 * child is left running for the caller to deal with). */
#ifndef HUTCH_TTY_RELAY_H
#define HUTCH_TTY_RELAY_H

#include <sys/types.h>

#include "spec/base/error.h"

int tty_relay_run(int master_fd, pid_t child, int *exit_status, herr_t *err);

/* The caller's terminal size onto the pty, before the process starts (so
 * that its first `stty size` is right; tty_relay_run keeps it in step). */
void tty_relay_copy_winsize(int master_fd);

/* A non-blocking fd for the caller's fd without touching the caller's open
 * file description: ttys and pipes are reopened; regular files need no
 * O_NONBLOCK; anything else (a socket) gets it on the shared description and
 * *restore is set to the flags to put back at the end (else -1). */
int tty_relay_own_fd(int fd, int *restore);

#endif
