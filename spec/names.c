/* Name tables: namespaces, hooks, signals, rlimits, capabilities and the
 * seccomp / mount option vocabularies. */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "spec/internal.h"
#include "spec/vocab.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
  const char *name;      /* runtime-spec name */
  const char *proc_name; /* /proc/PID/ns/<name> */
  int flag;
} ns_table[SPEC_NS_TYPES] = {
    [SPEC_NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [SPEC_NS_NETWORK] = {"network", "net", CLONE_NEWNET},
    [SPEC_NS_MOUNT] = {"mount", "mnt", CLONE_NEWNS},
    [SPEC_NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [SPEC_NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [SPEC_NS_USER] = {"user", "user", CLONE_NEWUSER},
    [SPEC_NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [SPEC_NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

const char *spec_ns_name(enum spec_ns_type t)
{
  return (unsigned)t < SPEC_NS_TYPES ? ns_table[t].name : NULL;
}

int spec_ns_from_name(const char *name)
{
  for (int i = 0; name && i < SPEC_NS_TYPES; i++)
    if (strcmp(ns_table[i].name, name) == 0)
      return i;
  return -1;
}

int spec_ns_clone_flag(enum spec_ns_type t)
{
  return (unsigned)t < SPEC_NS_TYPES ? ns_table[t].flag : 0;
}

const char *spec_ns_proc_name(enum spec_ns_type t)
{
  return (unsigned)t < SPEC_NS_TYPES ? ns_table[t].proc_name : NULL;
}

static const char *const hook_names[SPEC_HOOK_KINDS] = {
    [SPEC_HOOK_PRESTART] = "prestart",
    [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
    [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
    [SPEC_HOOK_START_CONTAINER] = "startContainer",
    [SPEC_HOOK_POSTSTART] = "poststart",
    [SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *spec_hook_name(enum spec_hook_kind k)
{
  return (unsigned)k < SPEC_HOOK_KINDS ? hook_names[k] : NULL;
}

/* ---- signals ---------------------------------------------------------- */

static const struct {
  const char *name;
  int sig;
} signal_table[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

/* Parse a decimal number that is the whole string; -1 if not. */
static int parse_small_uint(const char *s)
{
  if (*s == '\0' || strlen(s) > 4)
    return -1;
  int v = 0;
  for (; *s; s++) {
    if (!isdigit((unsigned char)*s))
      return -1;
    v = v * 10 + (*s - '0');
  }
  return v;
}

int spec_signal_from_name(const char *name)
{
  if (name == NULL || *name == '\0')
    return -1;
  int n = parse_small_uint(name);
  if (n >= 0)
    return (n >= 1 && n <= SIGRTMAX) ? n : -1;
  const char *s = name;
  if (strncasecmp(s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof(signal_table) / sizeof(signal_table[0]); i++)
    if (strcasecmp(signal_table[i].name, s) == 0)
      return signal_table[i].sig;
  /* RTMIN, RTMIN+n, RTMAX, RTMAX-n */
  if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
    bool min = strncasecmp(s, "RTMIN", 5) == 0;
    const char *rest = s + 5;
    int off = 0;
    if (*rest != '\0') {
      if (*rest != (min ? '+' : '-'))
        return -1;
      off = parse_small_uint(rest + 1);
      if (off < 0)
        return -1;
    }
    int sig = min ? SIGRTMIN + off : SIGRTMAX - off;
    return (sig >= SIGRTMIN && sig <= SIGRTMAX) ? sig : -1;
  }
  return -1;
}

/* ---- rlimits ---------------------------------------------------------- */

const char *const spec_rlimit_names[] = {
    [RLIMIT_CPU] = "RLIMIT_CPU",
    [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
    [RLIMIT_DATA] = "RLIMIT_DATA",
    [RLIMIT_STACK] = "RLIMIT_STACK",
    [RLIMIT_CORE] = "RLIMIT_CORE",
    [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC",
    [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
    [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
    [RLIMIT_AS] = "RLIMIT_AS",
    [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
    [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
    [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
    [RLIMIT_NICE] = "RLIMIT_NICE",
    [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
    [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
    NULL,
};

int spec_rlimit_from_name(const char *name)
{
  for (int i = 0; name && spec_rlimit_names[i]; i++)
    if (strcmp(spec_rlimit_names[i], name) == 0)
      return i;
  return -1;
}

/* ---- capabilities ----------------------------------------------------- */

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int spec_cap_last(void)
{
  return N_CAPS - 1;
}

const char *spec_cap_name(int cap)
{
  return (cap >= 0 && cap < N_CAPS) ? cap_names[cap] : NULL;
}

/* Accepts "CAP_SYS_ADMIN", and also "sys_admin"/"SYS_ADMIN" (any case). */
int spec_cap_from_name(const char *name)
{
  if (name == NULL)
    return -1;
  const char *s = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
  for (int i = 0; i < N_CAPS; i++)
    if (strcasecmp(cap_names[i] + 4, s) == 0)
      return i;
  return -1;
}

int spec_known_caps(const char *const **names)
{
  *names = cap_names;
  return N_CAPS;
}

/* ---- seccomp ---------------------------------------------------------- */

const char *const spec_seccomp_archs[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",        NULL,
};

/* Name lists for the parser and `features`, expanded from spec/vocab.h. */
#define NAME_OF(name, ...) name,
const char *const spec_seccomp_actions[] = {SPEC_SECCOMP_ACTIONS(NAME_OF) NULL};
const char *const spec_seccomp_operators[] = {SPEC_SECCOMP_OPERATORS(NAME_OF) NULL};
const char *const spec_seccomp_flags[] = {SPEC_SECCOMP_FLAGS(NAME_OF) NULL};
const char *const spec_mount_options[] = {SPEC_MOUNT_OPTIONS(NAME_OF) NULL};
#undef NAME_OF
