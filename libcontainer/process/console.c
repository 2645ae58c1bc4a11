/* process.terminal: the pty, the --console-socket hand-off and /dev/console. */
#include "libcontainer/process/console.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "libcontainer/utils/fileio.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The data bytes that accompany the fd, as runc sends them (utils.SendFile
 * uses the file's name, which is the master's "/dev/ptmx"). */
#define CONSOLE_PTY_NAME "/dev/ptmx"
#define CONSOLE_NAME_MAX 4096

int console_socket_connect(const char *path, herr_t *err)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  _cleanup_close_ int dirfd = -1;
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return herr_sys(err, "connect to console socket %s: socket", path);

  size_t len = strlen(path);
  if (len == 0)
    return herr_set(err, 0, "connect to console socket: empty path");
  if (len < sizeof(addr.sun_path)) {
    memcpy(addr.sun_path, path, len + 1);
  } else {
    /* Too long for sun_path: go through the directory's fd. */
    _cleanup_free_ char *dup1 = xstrdup(path), *dup2 = xstrdup(path);
    const char *dir = dirname(dup1), *base = basename(dup2);
    dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
      return herr_sys(err, "connect to console socket %s", path);
    int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd, base);
    if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
      return herr_errno(err, ENAMETOOLONG, "connect to console socket %s", path);
  }
  int rc;
  do
    rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
  while (rc < 0 && errno == EINTR);
  if (rc < 0)
    return herr_sys(err, "connect to console socket %s", path);
  return steal_fd(&fd);
}

int console_send_fd(int sock, int fd, const char *name, herr_t *err)
{
  if (send_with_fds(sock, name, strlen(name), &fd, 1) < 0)
    return herr_sys(err, "send the pty master over the console socket");
  return 0;
}

int console_recv_fd(int sock, char *name, size_t namelen, herr_t *err)
{
  char data[CONSOLE_NAME_MAX];
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  memset(&ctl, 0, sizeof(ctl));
  struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
  struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = ctl.buf,
      .msg_controllen = sizeof(ctl.buf),
  };
  ssize_t n;
  do
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return herr_sys(err, "receive a pty master");
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int))) {
    if (n == 0)
      return herr_set(err, 0, "receive a pty master: connection closed without one");
    return herr_set(err, 0, "receive a pty master: message carries no file descriptor%s",
                    (msg.msg_flags & MSG_CTRUNC) ? " (control data truncated)" : "");
  }
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  if (name && namelen) {
    size_t l = (size_t)n < namelen - 1 ? (size_t)n : namelen - 1;
    memcpy(name, data, l);
    name[l] = '\0';
  }
  return fd;
}

/* Move fd above the stdio range so the dup2 onto 0, 1, 2 cannot clobber it. */
static int move_above_stdio(int fd)
{
  if (fd < 0 || fd > 2)
    return fd;
  int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int e = errno;
  close(fd);
  errno = e;
  return n;
}

/* Make sure `path` exists as something a file can be bind-mounted on. */
static int ensure_mountpoint_file(const char *path, herr_t *err)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  if (errno == EEXIST)
    return 0;
  return herr_sys(err, "create %s", path);
}

int console_clear_onlcr(int fd, herr_t *err)
{
  struct termios t;
  if (tcgetattr(fd, &t) < 0)
    return herr_sys(err, "get the pty's termios");
  t.c_oflag &= ~(tcflag_t)ONLCR;
  if (tcsetattr(fd, TCSANOW, &t) < 0)
    return herr_sys(err, "clear ONLCR on the pty");
  return 0;
}

int console_setup_in_container(int socket_fd, unsigned height, unsigned width, herr_t *err)
{
  _cleanup_close_ int master = move_above_stdio(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (master < 0)
    return herr_sys(err, "console: open /dev/ptmx");

  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
    return herr_sys(err, "console: unlock pty");
  unsigned ptn = 0;
  if (ioctl(master, TIOCGPTN, &ptn) < 0)
    return herr_sys(err, "console: get pty number");
  char slave_path[64];
  snprintf(slave_path, sizeof(slave_path), "/dev/pts/%u", ptn);

  /* The peer straight from the master: no lookup of /dev/pts/N by path. */
  _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0 && (errno == EINVAL || errno == ENOTTY))
    slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  slave = move_above_stdio(slave);
  if (slave < 0)
    return herr_sys(err, "console: open %s", slave_path);
  if (console_clear_onlcr(slave, err) < 0)
    return herr_wrap(err, "console");

  if (height || width) {
    struct winsize ws = {0};
    if (ioctl(slave, TIOCGWINSZ, &ws) < 0)
      return herr_sys(err, "console: get window size");
    if (height)
      ws.ws_row = (unsigned short)height;
    if (width)
      ws.ws_col = (unsigned short)width;
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
      return herr_sys(err, "console: set window size %ux%u", height, width);
  }

  if (console_send_fd(socket_fd, master, CONSOLE_PTY_NAME, err) < 0)
    return herr_wrap(err, "console");

  if (ensure_mountpoint_file("/dev/console", err) < 0)
    return herr_wrap(err, "console");
  if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return herr_sys(err, "console: bind mount %s on /dev/console", slave_path);

  if (setsid() < 0 && getsid(0) != getpid())
    return herr_sys(err, "console: setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return herr_sys(err, "console: make %s the controlling terminal", slave_path);
  for (int i = 0; i < 3; i++)
    if (dup2(slave, i) < 0)
      return herr_sys(err, "console: dup %s onto fd %d", slave_path, i);
  return 0;
}
