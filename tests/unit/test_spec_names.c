/* Name helpers: namespaces, hooks, signals, rlimits, capabilities. */
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>

#include "check.h"
#include "spec/spec.h"

static void test_ns(void)
{
  CHECK(spec_ns_from_name("pid") == SPEC_NS_PID);
  CHECK(spec_ns_from_name("network") == SPEC_NS_NETWORK);
  CHECK(spec_ns_from_name("net") == -1); /* the spec name is "network" */
  CHECK(spec_ns_from_name("mount") == SPEC_NS_MOUNT);
  CHECK(spec_ns_from_name("time") == SPEC_NS_TIME);
  CHECK(spec_ns_from_name("PID") == -1);
  CHECK(spec_ns_from_name("") == -1);
  CHECK(spec_ns_from_name(NULL) == -1);
  for (int t = 0; t < SPEC_NS_TYPES; t++) {
    CHECK(spec_ns_from_name(spec_ns_name(t)) == t);
    CHECK(spec_ns_clone_flag(t) != 0);
  }
  CHECK(spec_ns_clone_flag(SPEC_NS_MOUNT) == CLONE_NEWNS);
  CHECK(spec_ns_clone_flag(SPEC_NS_USER) == CLONE_NEWUSER);
  CHECK(spec_ns_clone_flag(SPEC_NS_TIME) == 0x80);
  CHECK_STREQ(spec_ns_proc_name(SPEC_NS_NETWORK), "net");
  CHECK_STREQ(spec_ns_proc_name(SPEC_NS_MOUNT), "mnt");
  CHECK_STREQ(spec_ns_proc_name(SPEC_NS_CGROUP), "cgroup");
  CHECK(spec_ns_name(SPEC_NS_TYPES) == NULL);
  CHECK_STREQ(spec_hook_name(SPEC_HOOK_CREATE_RUNTIME), "createRuntime");
  CHECK_STREQ(spec_hook_name(SPEC_HOOK_POSTSTOP), "poststop");
  CHECK(spec_hook_name(SPEC_HOOK_KINDS) == NULL);
}

static void test_signals(void)
{
  CHECK(spec_signal_from_name("KILL") == SIGKILL);
  CHECK(spec_signal_from_name("SIGKILL") == SIGKILL);
  CHECK(spec_signal_from_name("9") == 9);
  CHECK(spec_signal_from_name("sigterm") == SIGTERM);
  CHECK(spec_signal_from_name("TERM") == SIGTERM);
  CHECK(spec_signal_from_name("SIGHUP") == SIGHUP);
  CHECK(spec_signal_from_name("WINCH") == SIGWINCH);
  CHECK(spec_signal_from_name("CHLD") == SIGCHLD);
  CHECK(spec_signal_from_name("SIGRTMIN") == SIGRTMIN);
  CHECK(spec_signal_from_name("RTMIN+3") == SIGRTMIN + 3);
  CHECK(spec_signal_from_name("SIGRTMIN+3") == SIGRTMIN + 3);
  CHECK(spec_signal_from_name("RTMAX") == SIGRTMAX);
  CHECK(spec_signal_from_name("SIGRTMAX-2") == SIGRTMAX - 2);
  CHECK(spec_signal_from_name("RTMIN-1") == -1);
  CHECK(spec_signal_from_name("RTMIN+100") == -1);
  CHECK(spec_signal_from_name("RTMIN+") == -1);
  CHECK(spec_signal_from_name("64") == 64);
  CHECK(spec_signal_from_name("65") == -1);
  CHECK(spec_signal_from_name("0") == -1);
  CHECK(spec_signal_from_name("-9") == -1);
  CHECK(spec_signal_from_name("9x") == -1);
  CHECK(spec_signal_from_name("FOO") == -1);
  CHECK(spec_signal_from_name("SIG") == -1);
  CHECK(spec_signal_from_name("") == -1);
  CHECK(spec_signal_from_name(NULL) == -1);
}

static void test_rlimits(void)
{
  CHECK(spec_rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE);
  CHECK(spec_rlimit_from_name("RLIMIT_CPU") == RLIMIT_CPU);
  CHECK(spec_rlimit_from_name("RLIMIT_RTTIME") == RLIMIT_RTTIME);
  CHECK(spec_rlimit_from_name("RLIMIT_MEMLOCK") == RLIMIT_MEMLOCK);
  CHECK(spec_rlimit_from_name("NOFILE") == -1);
  CHECK(spec_rlimit_from_name("rlimit_nofile") == -1);
  CHECK(spec_rlimit_from_name("RLIMIT_FOO") == -1);
  CHECK(spec_rlimit_from_name(NULL) == -1);
}

static void test_caps(void)
{
  CHECK(spec_cap_last() == 40);
  CHECK(spec_cap_from_name("CAP_CHOWN") == 0);
  CHECK(spec_cap_from_name("CAP_SYS_ADMIN") == 21);
  CHECK(spec_cap_from_name("CAP_NET_BIND_SERVICE") == 10);
  CHECK(spec_cap_from_name("CAP_AUDIT_READ") == 37);
  CHECK(spec_cap_from_name("CAP_PERFMON") == 38);
  CHECK(spec_cap_from_name("CAP_BPF") == 39);
  CHECK(spec_cap_from_name("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK(spec_cap_from_name("cap_sys_admin") == 21);
  CHECK(spec_cap_from_name("SYS_ADMIN") == 21);
  CHECK(spec_cap_from_name("CAP_FOO") == -1);
  CHECK(spec_cap_from_name("CAP_") == -1);
  CHECK(spec_cap_from_name("") == -1);
  CHECK(spec_cap_from_name(NULL) == -1);
  CHECK_STREQ(spec_cap_name(0), "CAP_CHOWN");
  CHECK_STREQ(spec_cap_name(21), "CAP_SYS_ADMIN");
  CHECK_STREQ(spec_cap_name(40), "CAP_CHECKPOINT_RESTORE");
  CHECK(spec_cap_name(41) == NULL);
  CHECK(spec_cap_name(-1) == NULL);
  for (int i = 0; i <= spec_cap_last(); i++)
    CHECK(spec_cap_from_name(spec_cap_name(i)) == i);
}

int main(void)
{
  test_ns();
  test_signals();
  test_rlimits();
  test_caps();
  return check_done();
}
