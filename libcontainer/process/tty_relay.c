/* The foreground terminal relay (see tty_relay.h). */
#include "libcontainer/process/tty_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "libcontainer/utils/fileio.h"

#define RELAY_BUF (64 * 1024)
#define RELAY_DRAIN_MS 200

struct buf {
  char data[RELAY_BUF];
  size_t off, len;
};

struct relay {
  int in, out, master, sfd;
  int in_restore, out_restore; /* F_SETFL flags to put back (shared description), or -1 */
  int tty_fd;                  /* the caller's terminal (for the size), or -1 */
  bool raw;
  struct termios saved;
  bool in_eof, out_broken, master_eof, child_done;
  char last_in;
  pid_t child;
  int status;
  struct buf to_pty, to_out;
};

static size_t buf_room(struct buf *b)
{
  if (b->off && b->off + b->len == RELAY_BUF) {
    memmove(b->data, b->data + b->off, b->len);
    b->off = 0;
  }
  return RELAY_BUF - b->off - b->len;
}

static void buf_consume(struct buf *b, size_t n)
{
  b->off += n;
  b->len -= n;
  if (b->len == 0)
    b->off = 0;
}

int tty_relay_own_fd(int fd, int *restore)
{
  *restore = -1;
  struct stat st;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fstat(fd, &st) < 0)
    return -1;
  if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
    char path[32];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    int n = open(path, (fl & (O_ACCMODE | O_APPEND)) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (n >= 0)
      return n;
  }
  int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (n >= 0 && !(fl & O_NONBLOCK)) {
    fcntl(n, F_SETFL, fl | O_NONBLOCK);
    *restore = fl;
  }
  return n;
}

static int caller_tty(void)
{
  return isatty(STDIN_FILENO) ? STDIN_FILENO : isatty(STDOUT_FILENO) ? STDOUT_FILENO : -1;
}

static void set_winsize(int tty_fd, int master)
{
  struct winsize ws;
  if (tty_fd >= 0 && ioctl(tty_fd, TIOCGWINSZ, &ws) == 0 && (ws.ws_row || ws.ws_col))
    ioctl(master, TIOCSWINSZ, &ws);
}

void tty_relay_copy_winsize(int master_fd)
{
  set_winsize(caller_tty(), master_fd);
}

static void copy_winsize(struct relay *r)
{
  set_winsize(r->tty_fd, r->master);
}

static void queue_eof(struct relay *r)
{
  struct termios t;
  char veof = 4; /* ^D */
  if (tcgetattr(r->master, &t) == 0 && t.c_cc[VEOF] != _POSIX_VDISABLE)
    veof = (char)t.c_cc[VEOF];
  /* A pending partial line: the first VEOF only pushes it. */
  int n = (r->last_in && r->last_in != '\n' && r->last_in != veof) ? 2 : 1;
  struct buf *b = &r->to_pty;
  for (int i = 0; i < n && buf_room(b) > 0; i++)
    b->data[b->off + b->len++] = veof;
}

static void reap(struct relay *r)
{
  int st;
  pid_t w;
  while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
    if (w != r->child)
      continue; /* an orphan reparented to a subreaper caller */
    r->child_done = true;
    r->status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
  }
}

static int on_signals(struct relay *r, herr_t *err)
{
  for (;;) {
    struct signalfd_siginfo si;
    ssize_t n = read(r->sfd, &si, sizeof(si));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return 0;
    if (n != (ssize_t)sizeof(si))
      return herr_sys(err, "terminal relay: read signalfd");
    switch (si.ssi_signo) {
    case SIGCHLD:
      reap(r);
      break;
    case SIGWINCH:
      copy_winsize(r);
      break;
    case SIGPIPE:
    case SIGTTIN:
    case SIGTTOU:
    case SIGURG:
      break;
    default:
      if (!r->child_done)
        kill(r->child, (int)si.ssi_signo);
    }
  }
}

static void on_stdin(struct relay *r)
{
  struct buf *b = &r->to_pty;
  size_t room = buf_room(b);
  if (room <= 2) /* two bytes stay free for the VEOFs */
    return;
  ssize_t n = read(r->in, b->data + b->off + b->len, room - 2);
  if (n > 0) {
    b->len += (size_t)n;
    r->last_in = b->data[b->off + b->len - 1];
  } else if (n == 0) {
    r->in_eof = true;
    queue_eof(r);
  } else if (errno != EAGAIN && errno != EINTR) {
    r->in_eof = true; /* EIO: a background job's terminal; nothing to forward */
  }
}

static void on_master(struct relay *r, short revents)
{
  if ((revents & POLLOUT) && r->to_pty.len) {
    struct buf *b = &r->to_pty;
    ssize_t n = write(r->master, b->data + b->off, b->len);
    if (n > 0)
      buf_consume(b, (size_t)n);
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
      b->len = b->off = 0; /* the pty is gone: drop the input */
  }
  if (revents & (POLLIN | POLLHUP | POLLERR)) {
    struct buf *b = &r->to_out;
    size_t room = buf_room(b);
    if (!room) {
      if (revents & POLLHUP)
        r->to_pty.len = r->to_pty.off = 0; /* no reader of the input any more */
      return;
    }
    ssize_t n = read(r->master, b->data + b->off + b->len, room);
    if (n > 0 && r->out_broken)
      b->len = b->off = 0;
    else if (n > 0)
      b->len += (size_t)n;
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
      r->master_eof = true; /* EIO: no process holds the pty any more */
  }
}

static void on_stdout(struct relay *r)
{
  struct buf *b = &r->to_out;
  ssize_t n = write(r->out, b->data + b->off, b->len);
  if (n > 0) {
    buf_consume(b, (size_t)n);
  } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
    r->out_broken = true; /* nobody reads: keep draining the pty, drop the output */
    b->len = b->off = 0;
  }
}

static int relay_loop(struct relay *r, herr_t *err)
{
  for (;;) {
    if (r->child_done && (r->master_eof || r->out_broken) && r->to_out.len == 0)
      return 0;
    bool read_master = !r->master_eof && (r->out_broken || r->to_out.len < RELAY_BUF);
    short mev =
        (short)((read_master ? POLLIN : 0) | (!r->master_eof && r->to_pty.len ? POLLOUT : 0));
    struct pollfd pf[4] = {
        {.fd = r->sfd, .events = POLLIN},
        {.fd = (!r->in_eof && !r->child_done) ? r->in : -1, .events = POLLIN},
        {.fd = mev ? r->master : -1, .events = mev},
        {.fd = (r->to_out.len && !r->out_broken) ? r->out : -1, .events = POLLOUT},
    };
    /* Once the process is gone, stop when the pty stays quiet. */
    int timeout = (r->child_done && r->to_out.len == 0) ? RELAY_DRAIN_MS : -1;
    int n = poll(pf, 4, timeout);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return herr_sys(err, "terminal relay: poll");
    }
    if (n == 0)
      return 0;
    if (pf[0].revents && on_signals(r, err) < 0)
      return -1;
    if (pf[1].revents)
      on_stdin(r);
    if (pf[2].revents)
      on_master(r, pf[2].revents);
    if (pf[3].revents)
      on_stdout(r);
  }
}

int tty_relay_run(int master_fd, pid_t child, int *exit_status, herr_t *err)
{
  struct relay *r = xcalloc(1, sizeof(*r));
  r->master = master_fd;
  r->child = child;
  r->tty_fd = caller_tty();
  r->in = tty_relay_own_fd(STDIN_FILENO, &r->in_restore);
  r->out = tty_relay_own_fd(STDOUT_FILENO, &r->out_restore);
  r->in_eof = r->in < 0;
  r->out_broken = r->out < 0;
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  int ret = 0;
  r->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (r->sfd < 0) {
    ret = herr_sys(err, "terminal relay: signalfd");
    goto out;
  }
  int fl = fcntl(master_fd, F_GETFL);
  if (fl < 0 || fcntl(master_fd, F_SETFL, fl | O_NONBLOCK) < 0) {
    ret = herr_sys(err, "terminal relay: the pty master");
    goto out;
  }
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &r->saved) == 0) {
    struct termios raw = r->saved;
    cfmakeraw(&raw);
    /* The container's pty has ONLCR off (as runc): the caller's terminal
     * keeps its output processing and turns "\n" into "\r\n" itself. */
    raw.c_oflag |= OPOST;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
      r->raw = true;
  }
  copy_winsize(r);
  reap(r); /* it may be gone already */
  ret = relay_loop(r, err);
  if (ret == 0)
    *exit_status = r->status;
out:
  if (r->raw)
    tcsetattr(STDIN_FILENO, TCSADRAIN, &r->saved);
  if (r->in >= 0 && r->in_restore >= 0)
    fcntl(r->in, F_SETFL, r->in_restore);
  if (r->out >= 0 && r->out_restore >= 0)
    fcntl(r->out, F_SETFL, r->out_restore);
  if (r->in >= 0)
    close(r->in);
  if (r->out >= 0)
    close(r->out);
  if (r->sfd >= 0)
    close(r->sfd);
  sigprocmask(SIG_SETMASK, &old, NULL);
  free(r);
  return ret;
}
