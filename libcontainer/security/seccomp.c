/* linux.seccomp with libseccomp.
 *
 * libseccomp only compiles the profile: the BPF program is exported to a
 * memfd once (no PFC, no debugging output) and loaded with seccomp(2)
 * directly, so that every flag the runtime-spec lists works whatever the
 * libseccomp version (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs
 * libseccomp 2.6 otherwise) and so that a compiled program can be reused
 * (compiled in the parent before fork, or cached later). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "spec/base/log.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"
#include "spec/vocab.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* linux.seccomp.flags, from the one table in spec/vocab.h. */
static const struct {
  const char *name;
  unsigned long flag;
} seccomp_flags[] = {
#define FLAG_ENTRY(n, v) {n, v},
    SPEC_SECCOMP_FLAGS(FLAG_ENTRY)
#undef FLAG_ENTRY
};
_Static_assert(SECCOMP_FILTER_FLAG_TSYNC == (1UL << 0) && SECCOMP_FILTER_FLAG_LOG == (1UL << 1) &&
                   SECCOMP_FILTER_FLAG_SPEC_ALLOW == (1UL << 2),
               "spec/vocab.h seccomp flag values");

/* Argument operators: spec/vocab.h gives libseccomp's enum values. */
static const struct {
  const char *name;
  enum scmp_compare op;
} seccomp_ops[] = {
#define OP_ENTRY(n, v) {n, (enum scmp_compare)(v)},
    SPEC_SECCOMP_OPERATORS(OP_ENTRY)
#undef OP_ENTRY
};
_Static_assert(SCMP_CMP_NE == 1 && SCMP_CMP_LT == 2 && SCMP_CMP_LE == 3 && SCMP_CMP_EQ == 4 &&
                   SCMP_CMP_GE == 5 && SCMP_CMP_GT == 6 && SCMP_CMP_MASKED_EQ == 7,
               "spec/vocab.h seccomp operator values");

static const struct {
  const char *name;
  enum spec_seccomp_action act;
  bool takes_errno;
} seccomp_actions[] = {
#define ACT_ENTRY(n, a, e) {n, a, e},
    SPEC_SECCOMP_ACTIONS(ACT_ENTRY)
#undef ACT_ENTRY
};

/* An action name (+ errnoRet) -> libseccomp action.  `field` names the
 * action's place in errors ("linux.seccomp.syscalls[2]"). */
static int seccomp_action(const char *name, bool has_errno, uint32_t errno_ret, const char *field,
                          const char *errno_field, uint32_t *out, herr_t *err)
{
  if (name == NULL)
    return herr_set(err, 0, "%s: missing action", field);
  size_t k = 0, n = sizeof(seccomp_actions) / sizeof(seccomp_actions[0]);
  while (k < n && strcmp(name, seccomp_actions[k].name) != 0)
    k++;
  if (k == n)
    return herr_set(err, 0, "%s: unknown seccomp action \"%s\"", field, name);
  bool takes_errno = seccomp_actions[k].takes_errno;
  uint32_t e = has_errno ? errno_ret : EPERM;
  switch (seccomp_actions[k].act) {
  case SPEC_SCMP_ACT_KILL_THREAD:
    *out = SCMP_ACT_KILL_THREAD;
    break;
  case SPEC_SCMP_ACT_KILL_PROCESS:
    *out = SCMP_ACT_KILL_PROCESS;
    break;
  case SPEC_SCMP_ACT_TRAP:
    *out = SCMP_ACT_TRAP;
    break;
  case SPEC_SCMP_ACT_ERRNO:
    *out = SCMP_ACT_ERRNO(e);
    break;
  case SPEC_SCMP_ACT_TRACE:
    *out = SCMP_ACT_TRACE(e);
    break;
  case SPEC_SCMP_ACT_ALLOW:
    *out = SCMP_ACT_ALLOW;
    break;
  case SPEC_SCMP_ACT_LOG:
    *out = SCMP_ACT_LOG;
    break;
  case SPEC_SCMP_ACT_NOTIFY:
    *out = SCMP_ACT_NOTIFY;
    break;
  }
  if (has_errno && !takes_errno)
    return herr_set(err, 0,
                    "%s: %s does not take an errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)",
                    errno_field, name);
  if (has_errno && errno_ret > 0xffff)
    return herr_set(err, 0, "%s: %u is out of range (0-65535)", errno_field, errno_ret);
  return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token ("x86_64"). */
static uint32_t seccomp_arch(const char *name)
{
  if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name) > 40)
    return 0;
  char low[48];
  size_t i = 0;
  for (const char *p = name + 10; *p; p++)
    low[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  low[i] = 0;
  return seccomp_arch_resolve_name(low);
}

/* libseccomp knows it, and a filter for this machine can include it: a
 * filter cannot mix byte orders (seccomp_arch_add fails with EDOM), so on
 * x86_64 the big-endian s390x, ppc64 or mips are not. */
bool seccomp_arch_supported(const char *name)
{
  const uint32_t le = 0x40000000; /* __AUDIT_ARCH_LE */
  uint32_t a = seccomp_arch(name);
  return a != 0 && (a & le) == (seccomp_arch_native() & le);
}

static int seccomp_op(const char *name, enum scmp_compare *op)
{
  for (size_t i = 0; name && i < sizeof(seccomp_ops) / sizeof(seccomp_ops[0]); i++)
    if (strcmp(name, seccomp_ops[i].name) == 0) {
      *op = seccomp_ops[i].op;
      return 0;
    }
  return -1;
}

bool seccomp_uses_notify(const struct spec_seccomp *sc)
{
  for (size_t i = 0; sc && i < sc->n_syscalls; i++)
    if (sc->syscalls[i].action && strcmp(sc->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

int seccomp_validate(const struct spec_seccomp *sc, herr_t *err)
{
  uint32_t act;
  char field[96];
  if (seccomp_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret,
                     "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet", &act, err) < 0)
    return -1;
  if (act == SCMP_ACT_NOTIFY)
    return herr_set(err, 0,
                    "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
                    "action");
  for (size_t i = 0; i < sc->n_architectures; i++)
    if (!seccomp_arch_supported(sc->architectures[i])) {
      const struct scmp_version *v = seccomp_version();
      return herr_set(err, 0,
                      "linux.seccomp.architectures[%zu]: %s architecture \"%s\" (libseccomp "
                      "%u.%u.%u)",
                      i,
                      seccomp_arch(sc->architectures[i]) ? "this machine's filters cannot include"
                                                         : "unknown or unsupported",
                      sc->architectures[i], v->major, v->minor, v->micro);
    }
  for (size_t i = 0; i < sc->n_flags; i++) {
    size_t k = 0, n = sizeof(seccomp_flags) / sizeof(seccomp_flags[0]);
    while (k < n && strcmp(sc->flags[i], seccomp_flags[k].name) != 0)
      k++;
    if (k == n)
      return herr_set(err, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, sc->flags[i]);
  }
  bool notify = false;
  for (size_t i = 0; i < sc->n_syscalls; i++) {
    const struct spec_seccomp_syscall *s = &sc->syscalls[i];
    char ef[96];
    snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu].action", i);
    snprintf(ef, sizeof(ef), "linux.seccomp.syscalls[%zu].errnoRet", i);
    if (seccomp_action(s->action, s->has_errno_ret, s->errno_ret, field, ef, &act, err) < 0)
      return -1;
    if (s->n_names == 0)
      return herr_set(err, 0, "linux.seccomp.syscalls[%zu].names: must not be empty", i);
    if (act == SCMP_ACT_NOTIFY) {
      notify = true;
      for (size_t k = 0; k < s->n_names; k++)
        /* The init must still send the notify fd and execve (as runc: write). */
        if (strcmp(s->names[k], "write") == 0 || strcmp(s->names[k], "sendmsg") == 0)
          return herr_set(err, 0,
                          "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for %s "
                          "(the runtime needs it to hand over the notify fd)",
                          i, s->names[k]);
    }
    for (size_t k = 0; k < s->n_args; k++) {
      enum scmp_compare op;
      if (seccomp_op(s->args[k].op, &op) < 0)
        return herr_set(err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"",
                        i, k, s->args[k].op ? s->args[k].op : "");
      if (s->args[k].index > 5)
        return herr_set(err, 0,
                        "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0-5)", i,
                        k, s->args[k].index);
    }
  }
  if (notify && (sc->listener_path == NULL || sc->listener_path[0] == 0))
    return herr_set(err, 0,
                    "linux.seccomp.listenerPath: required when a rule uses "
                    "SCMP_ACT_NOTIFY");
  if (sc->listener_metadata && !sc->listener_path)
    return herr_set(err, 0, "linux.seccomp.listenerMetadata: set without listenerPath");
  if (notify && sc->listener_path[0] != '/')
    return herr_set(err, 0, "linux.seccomp.listenerPath: \"%s\" is not an absolute path",
                    sc->listener_path);
  return 0;
}

static int seccomp_add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *sc, uint32_t def,
                             herr_t *err)
{
  for (size_t i = 0; i < sc->n_syscalls; i++) {
    const struct spec_seccomp_syscall *s = &sc->syscalls[i];
    uint32_t act;
    if (seccomp_action(s->action, s->has_errno_ret, s->errno_ret, "linux.seccomp.syscalls",
                       "linux.seccomp.syscalls", &act, err) < 0)
      return herr_wrap(err, "linux.seccomp.syscalls[%zu]", i);
    if (act == def) /* libseccomp refuses rules that repeat the default */
      continue;
    struct scmp_arg_cmp cmp[6];
    unsigned n_cmp = 0, per_index[6] = {0};
    bool split = false;
    for (size_t k = 0; k < s->n_args && k < 6; k++) {
      const struct spec_seccomp_arg *a = &s->args[k];
      enum scmp_compare op = SCMP_CMP_EQ;
      seccomp_op(a->op, &op);
      cmp[n_cmp].arg = a->index;
      cmp[n_cmp].op = op;
      /* MASKED_EQ: value is the mask, valueTwo the datum (runtime-spec). */
      cmp[n_cmp].datum_a = a->value;
      cmp[n_cmp].datum_b = a->has_value_two ? a->value_two : 0;
      if (a->index < 6 && ++per_index[a->index] > 1)
        split = true;
      n_cmp++;
    }
    if (s->n_args > 6)
      return herr_set(err, 0, "linux.seccomp.syscalls[%zu].args: more than 6 conditions", i);
    for (size_t k = 0; k < s->n_names; k++) {
      int nr = seccomp_syscall_resolve_name(s->names[k]);
      if (nr == __NR_SCMP_ERROR) {
        hlog_debug("seccomp: unknown syscall \"%s\" ignored", s->names[k]);
        continue;
      }
      int rc;
      if (!split) {
        rc = seccomp_rule_add_array(ctx, act, nr, n_cmp, n_cmp ? cmp : NULL);
      } else {
        /* Several conditions on one argument: one rule each (OR), as runc. */
        rc = 0;
        for (unsigned c = 0; c < n_cmp && rc == 0; c++)
          rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[c]);
      }
      if (rc < 0)
        return herr_errno(err, -rc, "linux.seccomp.syscalls[%zu]: add rule for %s", i, s->names[k]);
    }
  }
  return 0;
}

/* Export ctx's BPF program into memory (through a memfd). */
static int seccomp_export(scmp_filter_ctx ctx, struct seccomp_bpf *bpf, herr_t *err)
{
  _cleanup_close_ int fd = memfd_create("hutch-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "linux.seccomp: memfd_create");
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0)
    return herr_errno(err, -rc, "linux.seccomp: export the BPF program");
  struct stat st;
  if (fstat(fd, &st) < 0)
    return herr_sys(err, "linux.seccomp: stat the BPF program");
  size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
  if (n == 0 || n > BPF_MAXINSNS)
    return herr_set(err, 0, "linux.seccomp: the filter has %zu BPF instructions (limit %d)", n,
                    BPF_MAXINSNS);
  bpf->insns = xmalloc(n * sizeof(struct sock_filter));
  size_t want = n * sizeof(struct sock_filter), got = 0;
  while (got < want) {
    ssize_t r = pread(fd, (char *)bpf->insns + got, want - got, (off_t)got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return herr_sys(err, "linux.seccomp: read the BPF program");
    got += (size_t)r;
  }
  bpf->n_insns = (unsigned short)n;
  return 0;
}

/* Syscalls newer than the profile: with a deny-by-default profile, a syscall
 * the profile's author could not know about (its number is above every
 * syscall the profile names, for that architecture) fails with ENOSYS, not
 * the default action, so that libcs fall back to older syscalls (clone3 ->
 * clone), as runc does.  A stub is prepended to libseccomp's program:
 *     ld [arch]; for each arch: jeq ARCH ? (ld [nr]; jgt MAX -> ENOSYS) : next
 *     ja filter; ret ERRNO(ENOSYS); filter: ... */
static int seccomp_max_nr(const struct spec_seccomp *sc, uint32_t arch)
{
  int max = -1;
  for (size_t i = 0; i < sc->n_syscalls; i++)
    for (size_t k = 0; k < sc->syscalls[i].n_names; k++) {
      int nr = seccomp_syscall_resolve_name_arch(arch, sc->syscalls[i].names[k]);
      if (nr > max && nr < 0x40000000)
        max = nr;
    }
  return max;
}

#define STUB_MAX_ARCHS 24
static void seccomp_prepend_enosys(const struct spec_seccomp *sc, struct seccomp_bpf *bpf)
{
  uint32_t archs[STUB_MAX_ARCHS];
  int maxes[STUB_MAX_ARCHS];
  size_t n = 0;
  uint32_t native = seccomp_arch_native();
  for (size_t i = 0; i <= sc->n_architectures && n < STUB_MAX_ARCHS; i++) {
    uint32_t a = i == 0 ? native : seccomp_arch(sc->architectures[i - 1]);
    bool seen = false;
    for (size_t k = 0; k < n; k++)
      seen = seen || archs[k] == a;
    /* x32 shares AUDIT_ARCH_X86_64 (its numbers have bit 30 set): left alone. */
    if (seen || a == 0 || a == SCMP_ARCH_X32)
      continue;
    int max = seccomp_max_nr(sc, a);
    if (max < 0)
      continue;
    archs[n] = a;
    maxes[n++] = max;
  }
  if (n == 0)
    return;
  /* Per arch: jeq, ld nr, [jge x32 bit for x86_64], jgt. */
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += archs[i] == SCMP_ARCH_X86_64 ? 4 : 3;
  len += 2; /* ja filter; ret ENOSYS */
  struct sock_filter *p = xmalloc((len + bpf->n_insns) * sizeof(*p));
  size_t pc = 0, enosys = len - 1, filter = len;
  p[pc++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4); /* seccomp_data.arch */
  for (size_t i = 0; i < n; i++) {
    size_t block = archs[i] == SCMP_ARCH_X86_64 ? 4 : 3, next = pc + block;
    p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, archs[i], 0,
                                         (unsigned char)(next - pc - 1));
    pc++;
    p[pc++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0); /* seccomp_data.nr */
    if (archs[i] == SCMP_ARCH_X86_64) {
      p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000,
                                           (unsigned char)(filter - pc - 1), 0);
      pc++;
    }
    p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)maxes[i],
                                         (unsigned char)(enosys - pc - 1),
                                         (unsigned char)(filter - pc - 1));
    pc++;
  }
  p[pc++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA | BPF_K, 1);
  p[pc++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
  memcpy(p + pc, bpf->insns, bpf->n_insns * sizeof(*p));
  free(bpf->insns);
  bpf->insns = p;
  bpf->n_insns = (unsigned short)(len + bpf->n_insns);
}

int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_bpf **out, herr_t *err)
{
  uint32_t def;
  *out = NULL;
  if (seccomp_validate(sc, err) < 0)
    return -1;
  seccomp_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, "", "", &def,
                 err);
  scmp_filter_ctx ctx = seccomp_init(def);
  if (!ctx)
    return herr_set(err, 0, "linux.seccomp: cannot create the filter (libseccomp)");
  struct seccomp_bpf *bpf = xcalloc(1, sizeof(*bpf));
  int rc = 0;
  size_t n_names = 0;
  for (size_t i = 0; i < sc->n_syscalls; i++)
    n_names += sc->syscalls[i].n_names;
  /* Load is ours: libseccomp must not set no_new_privs behind our back. */
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (n_names > 32)
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); /* binary tree */
  for (size_t i = 0; i < sc->n_architectures && rc == 0; i++) {
    rc = seccomp_arch_add(ctx, seccomp_arch(sc->architectures[i]));
    if (rc == -EEXIST)
      rc = 0;
    if (rc < 0)
      herr_errno(err, -rc, "linux.seccomp.architectures[%zu]: add %s", i, sc->architectures[i]);
  }
  for (size_t i = 0; i < sc->n_flags && rc == 0; i++)
    for (size_t k = 0; k < sizeof(seccomp_flags) / sizeof(seccomp_flags[0]); k++)
      if (strcmp(sc->flags[i], seccomp_flags[k].name) == 0)
        bpf->flags |= (unsigned)seccomp_flags[k].flag;
  if (rc == 0 && seccomp_uses_notify(sc)) {
    bpf->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    /* TSYNC with a listener needs TSYNC_ESRCH (the init is single-threaded anyway). */
    if (bpf->flags & SECCOMP_FILTER_FLAG_TSYNC)
      bpf->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  if (rc == 0)
    rc = seccomp_add_rules(ctx, sc, def, err);
  if (rc == 0)
    rc = seccomp_export(ctx, bpf, err);
  seccomp_release(ctx);
  if (rc == 0 && def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG &&
      bpf->n_insns + 2 + 4 * STUB_MAX_ARCHS < BPF_MAXINSNS)
    seccomp_prepend_enosys(sc, bpf);
  if (rc < 0) {
    seccomp_bpf_free(bpf);
    return -1;
  }
  *out = bpf;
  return 0;
}

void seccomp_bpf_free(struct seccomp_bpf *bpf)
{
  if (!bpf)
    return;
  free(bpf->insns);
  free(bpf);
}

int seccomp_bpf_load(const struct seccomp_bpf *bpf, int *notify_fd, herr_t *err)
{
  *notify_fd = -1;
  struct sock_fprog prog = {.len = bpf->n_insns, .filter = bpf->insns};
  int r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bpf->flags, &prog);
  if (r < 0) {
    int e = errno;
    if (e == EACCES)
      return herr_errno(err, e,
                        "linux.seccomp: load the filter (without noNewPrivileges this "
                        "needs CAP_SYS_ADMIN)");
    if (e == EINVAL && bpf->flags)
      return herr_errno(err, e,
                        "linux.seccomp: load the filter with flags 0x%x (flags not "
                        "supported by this kernel?)",
                        bpf->flags);
    return herr_errno(err, e, "linux.seccomp: load the filter");
  }
  if (bpf->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
    *notify_fd = r; /* the kernel makes it O_CLOEXEC */
  return 0;
}

int seccomp_install(const struct spec_seccomp *sc, int *notify_fd, herr_t *err)
{
  struct seccomp_bpf *bpf = NULL;
  *notify_fd = -1;
  if (seccomp_compile(sc, &bpf, err) < 0)
    return -1;
  int r = seccomp_bpf_load(bpf, notify_fd, err);
  seccomp_bpf_free(bpf);
  return r;
}

/* ---- the listener (runtime side) -------------------------------------- */

static int send_state_and_fd(int sock, const char *data, size_t len, int fd)
{
  ssize_t n = send_with_fds(sock, data, len, &fd, 1);
  if (n < 0)
    return -1;
  /* The fd went with the first part; the rest is plain payload. */
  return write_all(sock, data + n, len - (size_t)n);
}

static int connect_unix(const char *path, herr_t *err)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  _cleanup_close_ int dirfd = -1;
  if (strlen(path) >= sizeof(sa.sun_path)) {
    /* Too long for sun_path: go through the directory's fd. */
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    *slash = 0;
    dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
      return herr_sys(err, "linux.seccomp.listenerPath: open %s", dir[0] ? dir : "/");
    int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, slash + 1);
    if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
      return herr_set(err, 0, "linux.seccomp.listenerPath: %s: name too long", path);
  } else {
    memcpy(sa.sun_path, path, strlen(path) + 1);
  }
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return herr_sys(err, "linux.seccomp.listenerPath: socket");
  int r;
  do
    r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int e = errno;
    close(s);
    return herr_errno(err, e, "linux.seccomp.listenerPath: connect to %s", path);
  }
  return s;
}

int seccomp_send_to_listener(const struct spec_seccomp *sc, int notify_fd, const char *state_json,
                             herr_t *err)
{
  if (notify_fd < 0)
    return 0;
  if (!sc || !sc->listener_path || !sc->listener_path[0])
    return herr_set(err, 0,
                    "linux.seccomp.listenerPath: required when a rule uses "
                    "SCMP_ACT_NOTIFY");
  json_error_t jerr;
  json_t *state = json_loads(state_json ? state_json : "", 0, &jerr);
  if (!state || !json_is_object(state)) {
    json_decref(state);
    return herr_set(err, 0, "seccomp listener: invalid container state JSON: %s", jerr.text);
  }
  json_t *ver = json_object_get(state, "ociVersion");
  json_t *pid = json_object_get(state, "pid");
  json_t *doc = json_object();
  json_object_set_new(doc, "ociVersion",
                      json_string(json_is_string(ver) ? json_string_value(ver) : "1.3.0"));
  json_object_set_new(doc, "fds", json_pack("[s]", "seccompFd"));
  json_object_set_new(doc, "pid", json_integer(json_is_integer(pid) ? json_integer_value(pid) : 0));
  if (sc->listener_metadata)
    json_object_set_new(doc, "metadata", json_string(sc->listener_metadata));
  json_object_set_new(doc, "state", state);
  char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  if (!text)
    return herr_set(err, 0, "seccomp listener: cannot encode the container process state");
  int r = 0;
  int s = connect_unix(sc->listener_path, err);
  if (s < 0)
    r = -1;
  else if (send_state_and_fd(s, text, strlen(text), notify_fd) < 0)
    r = herr_sys(err, "linux.seccomp.listenerPath: send the seccomp fd to %s", sc->listener_path);
  if (s >= 0)
    close(s);
  free(text);
  return r;
}
