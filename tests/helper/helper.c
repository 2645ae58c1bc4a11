/* hutch-test-helper: a static test program for bats/security.bats,
 * bats/seccomp.bats and bats/cve-*.bats.
 *
 *   hutch-test-helper listen SOCKET STATE_FILE ERRNO
 *       A seccomp agent: listen on the unix socket SOCKET, accept ONE
 *       connection, receive the container process state (JSON, written to
 *       STATE_FILE) and the seccomp fd (SCM_RIGHTS), then answer every
 *       notification with -ERRNO (appending "nr=N arg0=X" lines to
 *       STATE_FILE.log) until the filtered processes are gone.  Prints
 *       "ready" on stdout once listening.
 *   hutch-test-helper attrs
 *       Print this process' personality, scheduler policy/nice, I/O priority,
 *       oom_score_adj, no_new_privs and dumpable, one "key=value" per line.
 *   hutch-test-helper personality VALUE
 *       Call personality(VALUE) and print "ok" or "errno=N".
 *   hutch-test-helper mkdir PATH MODE
 *       mkdir(2) (the syscall itself) with the octal MODE; print "ok" or
 *       "errno=N".
 *   hutch-test-helper open-write PATH
 *       open(PATH, O_WRONLY) (and O_PATH, then reopen via /proc/self/fd for
 *       writing, the CVE-2019-5736 trick); print what succeeded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
  fprintf(stderr, "hutch-test-helper: %s: %s\n", what, strerror(errno));
  return 1;
}

static int cmd_listen(const char *sock, const char *state_file, int answer)
{
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(sock) >= sizeof(sa.sun_path))
    return die("socket path too long");
  strcpy(sa.sun_path, sock);
  unlink(sock);
  if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 4) < 0)
    return die("listen");
  printf("ready\n");
  fflush(stdout);
  int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0)
    return die("accept");
  /* The state may come in several messages; the fd with the first. */
  static char buf[65536];
  size_t len = 0;
  int fd = -1;
  for (;;) {
    char cbuf[CMSG_SPACE(sizeof(int) * 4)];
    struct iovec iov = {.iov_base = buf + len, .iov_len = sizeof(buf) - 1 - len};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0)
      return die("recvmsg");
    if (n == 0)
      break;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
      if (cm->cmsg_type == SCM_RIGHTS && fd < 0)
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    len += (size_t)n;
  }
  buf[len] = 0;
  close(c);
  close(ls);
  FILE *f = fopen(state_file, "we");
  if (!f)
    return die(state_file);
  fprintf(f, "%s\n", buf);
  fclose(f);
  if (fd < 0) {
    fprintf(stderr, "hutch-test-helper: no fd received\n");
    return 1;
  }
  char logname[4096];
  snprintf(logname, sizeof(logname), "%s.log", state_file);
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      return die("poll");
    }
    if (!(p.revents & POLLIN))
      break; /* POLLHUP: no process uses the filter any more */
    struct seccomp_notif req;
    memset(&req, 0, sizeof(req));
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      break;
    }
    FILE *lf = fopen(logname, "ae");
    if (lf) {
      fprintf(lf, "nr=%d arg0=%#llx\n", req.data.nr, (unsigned long long)req.data.args[0]);
      fclose(lf);
    }
    struct seccomp_notif_resp resp = {.id = req.id, .error = -answer, .val = 0, .flags = 0};
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
  return 0;
}

static int cmd_attrs(void)
{
  char oom[16] = "?";
  int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, oom, sizeof(oom) - 1);
    oom[n > 0 ? n : 0] = 0;
    oom[strcspn(oom, "\n")] = 0;
    close(fd);
  }
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, 0);
  long io = syscall(SYS_ioprio_get, 1, 0);
  printf("personality=%#x\n", (unsigned)personality(0xffffffff));
  printf("policy=%d\nnice=%d\n", sched_getscheduler(0), nice);
  printf("ioprio_class=%ld\nioprio_prio=%ld\n", io >> 13, io & 0xff);
  printf("oom_score_adj=%s\n", oom);
  printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  printf("dumpable=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
  return 0;
}

static int cmd_personality(const char *v)
{
  long r = syscall(SYS_personality, strtoul(v, NULL, 0));
  if (r < 0)
    printf("errno=%d\n", errno);
  else
    printf("ok\n");
  return 0;
}

static int cmd_mkdir(const char *path, const char *mode)
{
  if (syscall(SYS_mkdir, path, (unsigned)strtoul(mode, NULL, 8)) < 0)
    printf("errno=%d\n", errno);
  else
    printf("ok\n");
  return 0;
}

static int cmd_open_write(const char *path)
{
  int rc = 0;
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    printf("open-write: OPENED\n");
    rc = 1;
    close(fd);
  } else {
    printf("open-write: errno=%d\n", errno);
  }
  fd = open(path, O_PATH | O_CLOEXEC);
  if (fd >= 0) {
    char p[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    int w = open(p, O_WRONLY | O_CLOEXEC);
    printf("open-path: OPENED, reopen-write: %s%d\n",
           w >= 0 ? "OPENED " : "errno=", w >= 0 ? 0 : errno);
    if (w >= 0) {
      rc = 1;
      close(w);
    }
    close(fd);
  } else {
    printf("open-path: errno=%d\n", errno);
  }
  return rc;
}

int main(int argc, char **argv)
{
  if (argc == 5 && strcmp(argv[1], "listen") == 0)
    return cmd_listen(argv[2], argv[3], atoi(argv[4]));
  if (argc == 2 && strcmp(argv[1], "attrs") == 0)
    return cmd_attrs();
  if (argc == 3 && strcmp(argv[1], "personality") == 0)
    return cmd_personality(argv[2]);
  if (argc == 4 && strcmp(argv[1], "mkdir") == 0)
    return cmd_mkdir(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "open-write") == 0)
    return cmd_open_write(argv[2]);
  fprintf(stderr, "usage: hutch-test-helper listen SOCKET STATE_FILE ERRNO | attrs | personality "
                  "VALUE | mkdir PATH MODE | open-write PATH\n");
  return 2;
}
