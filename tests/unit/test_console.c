/* console: socket connect errors, fd passing, and the full in-container setup
 * run in a forked child with a private mount namespace (so the bind mount on
 * /dev/console never reaches the host). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/process/console.h"
#include "libcontainer/utils/fileio.h"

static char tmpdir[] = "/tmp/hutch-test-console.XXXXXX";

static void test_connect_missing(void)
{
  _cleanup_herr_ herr_t err = NULL;
  _cleanup_free_ char *p = xasprintf("%s/nope.sock", tmpdir);
  CHECK(console_socket_connect(p, &err) < 0);
  _cleanup_free_ char *want =
      xasprintf("connect to console socket %s: No such file or directory", p);
  CHECK_STREQ(err ? err->msg : NULL, want);
}

static void test_connect_not_a_socket(void)
{
  _cleanup_herr_ herr_t err = NULL;
  _cleanup_free_ char *p = xasprintf("%s/plain", tmpdir);
  close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  CHECK(console_socket_connect(p, &err) < 0);
  _cleanup_free_ char *want = xasprintf("connect to console socket %s: Connection refused", p);
  CHECK_STREQ(err ? err->msg : NULL, want);
}

static int listen_at(const char *path)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0)
    return -1;
  return fd;
}

static void test_connect_ok_long_path(void)
{
  /* A path longer than sun_path (108 bytes) still works, via the dir's fd. */
  _cleanup_free_ char *dir = xasprintf("%s/%0120d", tmpdir, 0);
  CHECK(mkdir(dir, 0700) == 0);
  _cleanup_free_ char *p = xasprintf("%s/console.sock", dir);
  CHECK(strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path));
  /* Bind through a short relative path from inside the directory. */
  int cwd = open(".", O_PATH | O_CLOEXEC);
  CHECK(chdir(dir) == 0);
  _cleanup_close_ int l = listen_at("console.sock");
  CHECK(fchdir(cwd) == 0);
  close(cwd);
  CHECK(l >= 0);

  _cleanup_herr_ herr_t err = NULL;
  _cleanup_close_ int fd = console_socket_connect(p, &err);
  CHECK_MSG(fd >= 0, err ? err->msg : NULL);
  if (fd >= 0)
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  _cleanup_close_ int a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  CHECK(a >= 0);
}

static void test_send_recv(void)
{
  int sv[2], p[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  _cleanup_herr_ herr_t err = NULL;
  CHECK(console_send_fd(sv[0], p[1], "/dev/ptmx", &err) == 0);
  char name[64];
  int fd = console_recv_fd(sv[1], name, sizeof(name), &err);
  CHECK(fd >= 0);
  CHECK_STREQ(name, "/dev/ptmx");
  CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
  /* It is the same pipe. */
  CHECK(write(fd, "x", 1) == 1);
  char c = 0;
  CHECK(read(p[0], &c, 1) == 1 && c == 'x');
  close(fd);
  close(p[0]);
  close(p[1]);

  /* The peer goes away without sending anything. */
  close(sv[0]);
  _cleanup_herr_ herr_t err2 = NULL;
  CHECK(console_recv_fd(sv[1], name, sizeof(name), &err2) < 0);
  CHECK_STREQ(err2 ? err2->msg : NULL, "receive a pty master: connection closed without one");
  close(sv[1]);

  /* Sending into a closed socket is an error, not a SIGPIPE. */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  close(sv[1]);
  _cleanup_herr_ herr_t err3 = NULL;
  CHECK(console_send_fd(sv[0], 0, "/dev/ptmx", &err3) < 0);
  CHECK_STREQ(err3 ? err3->msg : NULL, "send the pty master over the console socket: Broken pipe");
  close(sv[0]);
}

/* In the child: set the console up, then report what the process sees on
 * its new stdout (the pty). */
static int child_main(int sock, unsigned h, unsigned w)
{
  if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 90;
  _cleanup_herr_ herr_t err = NULL;
  if (console_setup_in_container(sock, h, w, &err) < 0) {
    dprintf(sock, "ERR %s", err->msg);
    return 91;
  }
  close(sock);
  struct winsize ws = {0};
  ioctl(0, TIOCGWINSZ, &ws);
  struct stat con, out;
  int same = stat("/dev/console", &con) == 0 && fstat(1, &out) == 0 && con.st_rdev == out.st_rdev;
  int master_open = 0;
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    char link[256] = "", path[300];
    snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
    if (readlink(path, link, sizeof(link) - 1) > 0 && strstr(link, "ptmx"))
      master_open = 1;
  }
  if (d)
    closedir(d);
  const char *tty = ttyname(0);
  printf("tty=%s isatty=%d%d%d rows=%d cols=%d console=%d sid=%d ctty=%d master=%d\n",
         tty && strncmp(tty, "/dev/pts/", 9) == 0 ? "pts" : (tty ? tty : "none"), isatty(0),
         isatty(1), isatty(2), ws.ws_row, ws.ws_col, same, getsid(0) == getpid(),
         tcgetpgrp(0) == getpgrp(), master_open);
  fflush(stdout);
  return 0;
}

/* Read a pty master until the slave side is gone (EIO). */
static char *read_pty(int fd)
{
  size_t len = 0, cap = 4096;
  char *buf = xmalloc(cap);
  for (;;) {
    ssize_t n = read(fd, buf + len, cap - len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t)n;
    if (len + 1 >= cap)
      buf = xrealloc(buf, cap *= 2);
  }
  buf[len] = '\0';
  return buf;
}

static char *run_console_child(unsigned h, unsigned w, char *name, size_t namelen, int *status)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return NULL;
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    _exit(child_main(sv[1], h, w));
  }
  close(sv[1]);
  _cleanup_herr_ herr_t err = NULL;
  int master = console_recv_fd(sv[0], name, namelen, &err);
  close(sv[0]);
  char *out = NULL;
  if (master >= 0) {
    out = read_pty(master);
    close(master);
  } else {
    out = xstrdup(err->msg);
  }
  waitpid(pid, status, 0);
  return out;
}

static void test_setup_in_container(void)
{
  if (geteuid() != 0) {
    printf("skip: console setup needs root\n");
    return;
  }
  struct stat host_before, host_after;
  int host_console = stat("/dev/console", &host_before) == 0;

  char name[64] = "";
  int status = -1;
  _cleanup_free_ char *out = run_console_child(24, 100, name, sizeof(name), &status);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_STREQ(name, "/dev/ptmx");
  CHECK_STREQ(
      out, "tty=pts isatty=111 rows=24 cols=100 console=1 sid=1 ctty=1 master=0\n"); /* ONLCR off,
                                                                                        as runc */

  /* Size left alone when not given. */
  status = -1;
  _cleanup_free_ char *out2 = run_console_child(0, 0, name, sizeof(name), &status);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_STREQ(out2,
              "tty=pts isatty=111 rows=0 cols=0 console=1 sid=1 ctty=1 master=0\n"); /* ONLCR off,
                                                                                        as runc */

  /* The host's /dev/console was not touched. */
  if (host_console) {
    CHECK(stat("/dev/console", &host_after) == 0);
    CHECK(host_after.st_rdev == host_before.st_rdev);
  }
}

static void test_setup_socket_closed(void)
{
  if (geteuid() != 0)
    return;
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  close(sv[0]);
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
      _exit(90);
    _cleanup_herr_ herr_t err = NULL;
    if (console_setup_in_container(sv[1], 0, 0, &err) < 0)
      dprintf(p[1], "%s", err->msg);
    _exit(0);
  }
  close(p[1]);
  close(sv[1]);
  _cleanup_free_ char *msg = NULL;
  read_all_fd(p[0], &msg);
  close(p[0]);
  waitpid(pid, NULL, 0);
  CHECK_STREQ(msg, "console: send the pty master over the console socket: Broken pipe");
}

int main(void)
{
  signal(SIGPIPE, SIG_DFL);
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_connect_missing();
  test_connect_not_a_socket();
  test_connect_ok_long_path();
  test_send_recv();
  test_setup_in_container();
  test_setup_socket_closed();
  _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
  return check_done();
}
