/* The one protocol between hutch and its children (sync.h): messages with
 * payloads and fds, errors with their errno, and packets that are not what
 * their header says. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/utils/fileio.h"

static void pair(int sv[2])
{
  CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  /* Room for the biggest message in one packet. */
  int sz = 4 * SYNC_MAX_PAYLOAD;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
  setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static bool same_file(int a, int b)
{
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/* A message with a payload and fds arrives whole: header fields, payload,
 * each fd a new close-on-exec descriptor of the same file. */
static void test_round_trip(void)
{
  int sv[2];
  pair(sv);
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int send_fds[2] = {p[1], null};
  CHECK(sync_send_msg(sv[0], SYNC_HOOKS_DONE, 7, 42, "{\"id\":\"c1\"}", send_fds, 2) == 0);
  struct sync_msg m;
  char *payload = NULL;
  int fds[4] = {-1, -1, -1, -1};
  size_t n = 0;
  CHECK(sync_recv_fds(sv[1], &m, &payload, fds, 4, &n) == 1);
  CHECK(m.type == SYNC_HOOKS_DONE && m.errnum == 7 && m.pid == 42);
  CHECK(m.len == strlen("{\"id\":\"c1\"}") + 1);
  CHECK_STREQ(payload, "{\"id\":\"c1\"}");
  CHECK(n == 2);
  CHECK(n == 2 && fds[0] != p[1] && same_file(fds[0], p[1]));
  CHECK(n == 2 && same_file(fds[1], null));
  CHECK(n == 2 && (fcntl(fds[0], F_GETFD) & FD_CLOEXEC));
  /* The received pipe end really is the pipe's. */
  CHECK(n == 2 && write(fds[0], "x", 1) == 1);
  char c = 0;
  CHECK(read(p[0], &c, 1) == 1 && c == 'x');
  for (size_t i = 0; i < n; i++)
    close(fds[i]);
  free(payload);

  /* One fd through the shorthand; a receiver that wants none closes it. */
  CHECK(sync_send_fd(sv[0], SYNC_PTY, null) == 0);
  int rfd = -1;
  CHECK(sync_recv_fd(sv[1], &m, NULL, &rfd) == 1);
  CHECK(m.type == SYNC_PTY && rfd >= 0 && same_file(rfd, null));
  if (rfd >= 0)
    close(rfd);
  /* A bare message: no payload, no fd. */
  CHECK(sync_send(sv[0], SYNC_READY, 0, 0, NULL) == 0);
  rfd = 5;
  CHECK(sync_recv_fd(sv[1], &m, &payload, &rfd) == 1);
  CHECK(m.type == SYNC_READY && m.len == 0 && payload == NULL && rfd == -1);

  /* The sender refuses what the receiver would: too many fds, too long a payload. */
  int many[SYNC_MAX_FDS + 1];
  for (size_t i = 0; i < SYNC_MAX_FDS + 1; i++)
    many[i] = null;
  errno = 0;
  CHECK(sync_send_fds(sv[0], SYNC_GO, many, SYNC_MAX_FDS + 1) < 0 && errno == EMSGSIZE);
  char *big = xmalloc(SYNC_MAX_PAYLOAD + 1);
  memset(big, 'a', SYNC_MAX_PAYLOAD);
  big[SYNC_MAX_PAYLOAD] = '\0';
  errno = 0;
  CHECK(sync_send(sv[0], SYNC_HOOKS_DONE, 0, 0, big) < 0 && errno == EMSGSIZE);
  big[SYNC_MAX_PAYLOAD - 1] = '\0'; /* the largest that fits */
  CHECK(sync_send(sv[0], SYNC_HOOKS_DONE, 0, 0, big) == 0);
  CHECK(sync_recv(sv[1], &m, &payload) == 1);
  CHECK(payload && strlen(payload) == SYNC_MAX_PAYLOAD - 1);
  free(payload);
  free(big);
  close(null);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}

/* An error crosses with its errno and whole message, and is rebuilt. */
static void test_errors(void)
{
  int sv[2];
  pair(sv);
  herr_t e = NULL, err = NULL;
  herr_errno(&e, EACCES, "mount proc on /proc");
  sync_send_error(sv[0], &e);
  herr_free(&e);
  CHECK(sync_expect(sv[1], SYNC_READY, NULL, "test", &err) < 0);
  CHECK(err && err->errnum == EACCES);
  CHECK(err && strcmp(err->msg, "mount proc on /proc: Permission denied") == 0);
  herr_free(&err);

  /* The same through the receiver and sync_error(). */
  herr_set(&e, ENOENT, "exec: \"nosuch\": executable file not found in $PATH");
  sync_send_error(sv[0], &e);
  herr_free(&e);
  struct sync_msg m;
  char *payload = NULL;
  CHECK(sync_recv(sv[1], &m, &payload) == 1);
  CHECK(m.type == SYNC_ERROR && m.errnum == ENOENT);
  CHECK(sync_error(&m, payload, &err) == -1);
  CHECK(err && err->errnum == ENOENT);
  CHECK_STREQ(err ? err->msg : NULL, "exec: \"nosuch\": executable file not found in $PATH");
  herr_free(&err);
  free(payload);

  /* A message too long for one packet is cut, not lost. */
  char *huge = xmalloc(2 * SYNC_MAX_PAYLOAD);
  memset(huge, 'm', 2 * SYNC_MAX_PAYLOAD - 1);
  huge[2 * SYNC_MAX_PAYLOAD - 1] = '\0';
  herr_set(&e, E2BIG, "%s", huge);
  free(huge);
  sync_send_error(sv[0], &e);
  herr_free(&e);
  CHECK(sync_expect(sv[1], SYNC_READY, NULL, "test", &err) < 0);
  CHECK(err && err->errnum == E2BIG && strlen(err->msg) == SYNC_MAX_PAYLOAD - 1);
  herr_free(&err);

  /* An unexpected message type is a protocol error. */
  CHECK(sync_send(sv[0], SYNC_GO, 0, 0, NULL) == 0);
  CHECK(sync_expect(sv[1], SYNC_READY, NULL, "test", &err) < 0);
  CHECK(err && err->errnum == EPROTO && strstr(err->msg, "unexpected sync message"));
  herr_free(&err);

  /* EOF once the other side is gone. */
  close(sv[0]);
  CHECK(sync_expect(sv[1], SYNC_READY, NULL, "init", &err) < 0);
  CHECK(err && strstr(err->msg, "init: the other side exited"));
  herr_free(&err);
  close(sv[1]);
}

/* Send raw bytes (and an fd) as one packet, bypassing the encoder. */
static void send_raw(int sock, const void *data, size_t len, int fd)
{
  CHECK(send_with_fds(sock, data, len, &fd, fd >= 0 ? 1 : 0) == (ssize_t)len);
}

/* Expect the next packet to be rejected with errno `want`, and any fd it
 * carried closed: the pipe whose only other write end we close reads EOF. */
static void expect_rejected(int sock, int want, const char *what)
{
  struct sync_msg m;
  char *payload = NULL;
  int fds[2] = {-1, -1};
  size_t n = 7;
  errno = 0;
  CHECK_MSG(sync_recv_fds(sock, &m, &payload, fds, 2, &n) == -1, what);
  CHECK_MSG(errno == want, what);
  CHECK_MSG(n == 0 && payload == NULL, what);
}

static void test_malformed(void)
{
  int sv[2];
  pair(sv);
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);

  /* Shorter than a header, with an fd that must not leak. */
  send_raw(sv[0], "abc", 3, p[1]);
  close(p[1]);
  expect_rejected(sv[1], EPROTO, "truncated header");
  char c;
  CHECK(read(p[0], &c, 1) == 0); /* every write end is closed */
  close(p[0]);

  /* A header announcing more payload than came. */
  struct {
    struct sync_msg h;
    char text[8];
  } pkt = {.h = {.type = SYNC_ERROR, .errnum = EIO, .len = 100}, .text = "short"};
  send_raw(sv[0], &pkt, sizeof(pkt.h) + 6, -1);
  expect_rejected(sv[1], EPROTO, "truncated payload");
  /* ... or less. */
  pkt.h.len = 2;
  send_raw(sv[0], &pkt, sizeof(pkt.h) + 6, -1);
  expect_rejected(sv[1], EPROTO, "payload longer than its header");
  /* A payload that is not a string. */
  pkt.h.len = 5;
  send_raw(sv[0], &pkt, sizeof(pkt.h) + 5, -1);
  expect_rejected(sv[1], EPROTO, "payload without its NUL");

  /* Bigger than any message may be. */
  size_t blen = sizeof(struct sync_msg) + SYNC_MAX_PAYLOAD + 16;
  char *big = xcalloc(1, blen);
  struct sync_msg h = {.type = SYNC_HOOKS_DONE, .len = SYNC_MAX_PAYLOAD + 16};
  memcpy(big, &h, sizeof(h));
  memset(big + sizeof(h), 'a', SYNC_MAX_PAYLOAD + 15);
  send_raw(sv[0], big, blen, -1);
  free(big);
  expect_rejected(sv[1], EMSGSIZE, "oversized");

  /* The stream is still in step: the next good message arrives. */
  CHECK(sync_send(sv[0], SYNC_READY, 0, 0, "ok") == 0);
  struct sync_msg m;
  char *payload = NULL;
  CHECK(sync_recv(sv[1], &m, &payload) == 1);
  CHECK(m.type == SYNC_READY);
  CHECK_STREQ(payload, "ok");
  free(payload);
  close(sv[0]);
  close(sv[1]);
}

int main(void)
{
  test_round_trip();
  test_errors();
  test_malformed();
  return check_done();
}
