/* recvtty: a --console-socket receiver for tests (like runc's contrib recvtty).
 *
 *   recvtty [-i INPUT] [-o OUT] [-n NAMEFILE] [-p PIDFILE] SOCKET
 *
 * Listens on the unix socket SOCKET (it appears only once listening, so a
 * script can wait for `[ -S SOCKET ]`), accepts one connection, receives one
 * pty master, removes SOCKET, writes the name sent with it to NAMEFILE, writes
 * INPUT to the master, then copies everything the pty prints to OUT (default
 * stdout) until the last slave is closed.  Exits 0 when a master was received. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "libcontainer/process/console.h"
#include "libcontainer/utils/fileio.h"

static int listen_on(const char *path)
{
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  _cleanup_free_ char *tmp = xasprintf("%s.tmp%d", path, (int)getpid());
  if (strlen(tmp) >= sizeof(a.sun_path)) {
    fprintf(stderr, "recvtty: socket path too long: %s\n", path);
    return -1;
  }
  strcpy(a.sun_path, tmp);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(tmp);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
      rename(tmp, path) < 0) {
    fprintf(stderr, "recvtty: listen on %s: %s\n", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return fd;
}

int main(int argc, char **argv)
{
  const char *input = NULL, *out_path = NULL, *name_path = NULL, *pid_path = NULL;
  int opt;
  while ((opt = getopt(argc, argv, "i:o:n:p:")) != -1) {
    switch (opt) {
    case 'i':
      input = optarg;
      break;
    case 'o':
      out_path = optarg;
      break;
    case 'n':
      name_path = optarg;
      break;
    case 'p':
      pid_path = optarg;
      break;
    default:
      fprintf(stderr, "usage: recvtty [-i INPUT] [-o OUT] [-n NAMEFILE] [-p PIDFILE] SOCKET\n");
      return 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "usage: recvtty [-i INPUT] [-o OUT] [-n NAMEFILE] [-p PIDFILE] SOCKET\n");
    return 2;
  }
  const char *sock_path = argv[optind];
  int out = STDOUT_FILENO;
  if (out_path) {
    out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
      fprintf(stderr, "recvtty: open %s: %s\n", out_path, strerror(errno));
      return 1;
    }
  }
  if (pid_path) {
    FILE *f = fopen(pid_path, "we");
    if (f) {
      fprintf(f, "%d\n", (int)getpid());
      fclose(f);
    }
  }
  int l = listen_on(sock_path);
  if (l < 0)
    return 1;
  int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  unlink(sock_path);
  close(l);
  if (c < 0) {
    fprintf(stderr, "recvtty: accept: %s\n", strerror(errno));
    return 1;
  }
  char name[256];
  _cleanup_herr_ herr_t err = NULL;
  int master = console_recv_fd(c, name, sizeof(name), &err);
  close(c);
  if (master < 0) {
    fprintf(stderr, "recvtty: %s\n", err->msg);
    return 1;
  }
  if (name_path) {
    FILE *f = fopen(name_path, "we");
    if (f) {
      fprintf(f, "%s\n", name);
      fclose(f);
    }
  }
  if (input && write_all(master, input, strlen(input)) < 0) {
    fprintf(stderr, "recvtty: write input: %s\n", strerror(errno));
    return 1;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) /* EIO: every slave fd is closed */
      break;
    if (write_all(out, buf, (size_t)n) < 0)
      break;
  }
  close(master);
  return 0;
}
