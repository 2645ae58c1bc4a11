/* The foreground stdio relay: which of the caller's fds need it, the host
 * ids it decides with, and the copying itself (a forked writer and reader
 * through the relay's pipes and copier). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/process/stdio_relay.h"

static struct stat fake(mode_t type, mode_t mode, uid_t uid, gid_t gid)
{
  struct stat st;
  memset(&st, 0, sizeof(st));
  st.st_mode = type | mode;
  st.st_uid = uid;
  st.st_gid = gid;
  return st;
}

static void test_needs(void)
{
  /* A root-owned 0600 FIFO: root can reopen it, uid 1234 cannot. */
  struct stat fifo = fake(S_IFIFO, 0600, 0, 0);
  CHECK(!stdio_relay_needs(&fifo, 1, 0, 0, NULL, 0));
  CHECK(stdio_relay_needs(&fifo, 1, 1234, 1234, NULL, 0));
  /* Group and other bits, read for stdin and write for stdout. */
  struct stat file = fake(S_IFREG, 0640, 0, 50);
  CHECK(!stdio_relay_needs(&file, 0, 1234, 50, NULL, 0));
  CHECK(stdio_relay_needs(&file, 1, 1234, 50, NULL, 0));
  uint32_t groups[] = {7, 50};
  CHECK(!stdio_relay_needs(&file, 0, 1234, 1234, groups, 2));
  struct stat open_fifo = fake(S_IFIFO, 0666, 0, 0);
  CHECK(!stdio_relay_needs(&open_fifo, 2, 1234, 1234, NULL, 0));
  /* Unknown ids: only the other bits count. */
  CHECK(stdio_relay_needs(&fifo, 1, STDIO_ID_UNKNOWN, STDIO_ID_UNKNOWN, NULL, 0));
  /* Sockets and devices other than terminals are passed as they are. */
  struct stat sock = fake(S_IFSOCK, 0600, 0, 0);
  CHECK(!stdio_relay_needs(&sock, 1, 1234, 1234, NULL, 0));
  struct stat null = fake(S_IFCHR, 0600, 0, 0);
  CHECK(!stdio_relay_needs(&null, 1, 1234, 1234, NULL, 0));
}

static void test_host_id(void)
{
  struct spec s;
  memset(&s, 0, sizeof(s));
  CHECK(stdio_relay_host_id(&s, false, 1234) == 1234); /* no linux object */
  struct spec_namespace ns = {.type = SPEC_NS_USER};
  struct spec_id_mapping um[] = {{0, 100000, 65536}}, gm[] = {{0, 200000, 10}};
  s.has_linux = true;
  s.linux_.namespaces = &ns;
  s.linux_.n_namespaces = 1;
  s.linux_.uid_mappings = um;
  s.linux_.n_uid_mappings = 1;
  s.linux_.gid_mappings = gm;
  s.linux_.n_gid_mappings = 1;
  CHECK(stdio_relay_host_id(&s, false, 1234) == 101234);
  CHECK(stdio_relay_host_id(&s, true, 9) == 200009);
  CHECK(stdio_relay_host_id(&s, true, 10) == STDIO_ID_UNKNOWN);
  ns.path = "/proc/1/ns/user"; /* joined: the mappings are not ours to know */
  CHECK(stdio_relay_host_id(&s, false, 0) == STDIO_ID_UNKNOWN);
}

/* fds 0 and 1 of this process are files, made unreadable/unwritable for
 * "others" so that uid 1234 needs the relay; a child writes through the
 * relay's pipe and reads stdin from it. */
static void test_copy(void)
{
  char in_path[] = "/tmp/hutch-relay-in.XXXXXX", out_path[] = "/tmp/hutch-relay-out.XXXXXX";
  int in = mkstemp(in_path), out = mkstemp(out_path);
  CHECK(in >= 0 && out >= 0);
  CHECK(write(in, "input\n", 6) == 6);
  lseek(in, 0, SEEK_SET);
  int saved0 = dup(0), saved1 = dup(1);
  dup2(in, 0);
  dup2(out, 1);
  struct stdio_relay r;
  stdio_relay_init(&r);
  herr_t err = NULL;
  CHECK(stdio_relay_prepare(&r, 1234, 1234, NULL, 0, STDIO_ID_UNKNOWN, &err) == 0);
  CHECK(r.child[0] >= 0 && r.child[1] >= 0);
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    stdio_relay_child_fds(r.child);
    char buf[64];
    ssize_t n = read(0, buf, sizeof(buf));
    char line[128];
    int len = snprintf(line, sizeof(line), "got %.*s", n > 0 ? (int)n : 0, buf);
    _exit(write(1, line, (size_t)len) == len ? 0 : 1);
  }
  dup2(saved0, 0);
  dup2(saved1, 1);
  close(saved0);
  close(saved1);
  CHECK(stdio_relay_start(&r, &err) == 0);
  stdio_relay_close_child(&r);
  int st = -1;
  waitpid(pid, &st, 0);
  stdio_relay_finish(&r);
  sigprocmask(SIG_SETMASK, &old, NULL);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  char got[64] = "";
  CHECK(pread(out, got, sizeof(got) - 1, 0) == 10);
  CHECK_STREQ(got, "got input\n");
  close(in);
  close(out);
  unlink(in_path);
  unlink(out_path);
  herr_free(&err);
}

int main(void)
{
  test_needs();
  test_host_id();
  test_copy();
  return check_done();
}
