/* Process attributes: oomScoreAdj, linux.personality, process.scheduler
 * (sched_setattr), process.ioPriority (ioprio_set) and execCPUAffinity. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

struct name_val {
  const char *name;
  unsigned long val;
};

static const struct name_val pers_flags[] = {
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
};

/* Linux scheduling policies and sched_setattr flags (uapi/linux/sched.h). */
static const struct name_val sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
static const struct name_val sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
static const struct name_val ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};

#define LOOKUP(table, name, out) lookup(table, sizeof(table) / sizeof(table[0]), name, out)
static int lookup(const struct name_val *t, size_t n, const char *name, unsigned long *out)
{
  for (size_t i = 0; name && i < n; i++)
    if (strcmp(t[i].name, name) == 0) {
      *out = t[i].val;
      return 0;
    }
  return -1;
}

struct hutch_sched_attr { /* struct sched_attr, SCHED_ATTR_SIZE_VER0 */
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

static int sched_build(const struct spec_scheduler *s, struct hutch_sched_attr *a, herr_t *err)
{
  unsigned long v;
  memset(a, 0, sizeof(*a));
  a->size = sizeof(*a);
  if (LOOKUP(sched_policies, s->policy, &v) < 0)
    return herr_set(err, 0, "process.scheduler.policy: unknown policy \"%s\"",
                    s->policy ? s->policy : "");
  a->sched_policy = (uint32_t)v;
  for (size_t i = 0; i < s->n_flags; i++) {
    if (LOOKUP(sched_flags, s->flags[i], &v) < 0)
      return herr_set(err, 0, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i, s->flags[i]);
    a->sched_flags |= v;
  }
  if (s->has_nice && (s->nice < -20 || s->nice > 19))
    return herr_set(err, 0, "process.scheduler.nice: %d is out of range (-20..19)", s->nice);
  a->sched_nice = s->has_nice ? s->nice : 0;
  bool rt = a->sched_policy == 1 || a->sched_policy == 2;
  if (s->has_priority && s->priority != 0 && !rt)
    return herr_set(err, 0,
                    "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a "
                    "priority");
  if (rt && (!s->has_priority || s->priority < 1 || s->priority > 99))
    return herr_set(err, 0, "process.scheduler.priority: %s needs a priority in 1..99", s->policy);
  a->sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
  bool dl = a->sched_policy == 6;
  if (!dl && (s->has_runtime || s->has_deadline || s->has_period))
    return herr_set(err, 0,
                    "process.scheduler: runtime, deadline and period are only for "
                    "SCHED_DEADLINE");
  a->sched_runtime = s->has_runtime ? s->runtime : 0;
  a->sched_deadline = s->has_deadline ? s->deadline : 0;
  a->sched_period = s->has_period ? s->period : 0;
  return 0;
}

static int pers_build(const struct spec_personality *p, unsigned long *out, herr_t *err)
{
  if (!p->domain || strcmp(p->domain, "LINUX") == 0)
    *out = PER_LINUX;
  else if (strcmp(p->domain, "LINUX32") == 0)
    *out = PER_LINUX32;
  else
    return herr_set(err, 0, "linux.personality.domain: unknown domain \"%s\" (LINUX or LINUX32)",
                    p->domain);
  for (size_t i = 0; i < p->n_flags; i++) {
    unsigned long v;
    if (LOOKUP(pers_flags, p->flags[i], &v) < 0)
      return herr_set(err, 0, "linux.personality.flags[%zu]: unknown flag \"%s\"", i, p->flags[i]);
    *out |= v;
  }
  return 0;
}

/* "0-3,7" -> cpu set; -1 and an error on bad syntax. */
static int cpus_parse(const char *s, cpu_set_t *set, const char *field, herr_t *err)
{
  CPU_ZERO(set);
  const char *p = s;
  if (!s || !*s)
    return herr_set(err, 0, "%s: empty CPU list", field);
  while (*p) {
    char *end;
    errno = 0;
    unsigned long a = strtoul(p, &end, 10), b;
    if (end == p || errno)
      goto bad;
    b = a;
    if (*end == '-') {
      p = end + 1;
      b = strtoul(p, &end, 10);
      if (end == p || errno || b < a)
        goto bad;
    }
    if (b >= CPU_SETSIZE)
      return herr_set(err, 0, "%s: CPU %lu is out of range", field, b);
    for (unsigned long c = a; c <= b; c++)
      CPU_SET(c, set);
    if (*end == ',')
      end++;
    else if (*end)
      goto bad;
    p = end;
  }
  return 0;
bad:
  return herr_set(err, 0, "%s: invalid CPU list \"%s\" (expected e.g. \"0-3,7\")", field, s);
}

int procattr_validate(const struct spec *s, herr_t *err)
{
  if (s->has_linux && s->linux_.has_personality) {
    unsigned long v;
    if (pers_build(&s->linux_.personality, &v, err) < 0)
      return -1;
  }
  if (!s->has_process)
    return 0;
  const struct spec_process *p = &s->process;
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return herr_set(err, 0, "process.oomScoreAdj: %d is out of range (-1000..1000)",
                    p->oom_score_adj);
  if (p->has_scheduler) {
    struct hutch_sched_attr a;
    if (sched_build(&p->scheduler, &a, err) < 0)
      return -1;
  }
  if (p->has_io_priority) {
    unsigned long v;
    if (LOOKUP(ioprio_classes, p->io_priority.klass, &v) < 0)
      return herr_set(err, 0, "process.ioPriority.class: unknown class \"%s\"",
                      p->io_priority.klass ? p->io_priority.klass : "");
    if (p->io_priority.priority < 0 || p->io_priority.priority > 7)
      return herr_set(err, 0, "process.ioPriority.priority: %d is out of range (0..7)",
                      p->io_priority.priority);
  }
  cpu_set_t set;
  if (p->exec_cpu_affinity_initial &&
      cpus_parse(p->exec_cpu_affinity_initial, &set, "process.execCPUAffinity.initial", err) < 0)
    return -1;
  if (p->exec_cpu_affinity_final && p->exec_cpu_affinity_final[0] &&
      cpus_parse(p->exec_cpu_affinity_final, &set, "process.execCPUAffinity.final", err) < 0)
    return -1;
  return 0;
}

int procattr_set_oom_score_adj(const struct spec_process *p, herr_t *err)
{
  if (!p->has_oom_score_adj)
    return 0;
  char cur[16] = {0}, buf[16];
  /* Readable by anyone: a value already there (a rootless init set it while
   * still dumpable) needs no write, and lowering it would need
   * CAP_SYS_RESOURCE for nothing. */
  {
    _cleanup_close_ int rfd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
    if (rfd >= 0 && read(rfd, cur, sizeof(cur) - 1) > 0 && atoi(cur) == p->oom_score_adj)
      return 0;
  }
  _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "process.oomScoreAdj: open /proc/self/oom_score_adj");
  int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
  if (write(fd, buf, (size_t)n) < 0) {
    if (errno == EACCES)
      return herr_set(err, EACCES,
                      "process.oomScoreAdj: lowering it from %d to %d needs CAP_SYS_RESOURCE "
                      "(which a rootless container does not have)",
                      atoi(cur), p->oom_score_adj);
    return herr_sys(err, "process.oomScoreAdj: set %d", p->oom_score_adj);
  }
  return 0;
}

int security_set_oom_score_adj(const struct spec_process *p, herr_t *err)
{
  return procattr_set_oom_score_adj(p, err);
}

int security_set_personality(const struct spec_personality *pers, herr_t *err)
{
  unsigned long v;
  if (pers_build(pers, &v, err) < 0)
    return -1;
  if (personality(v) < 0)
    return herr_sys(err, "linux.personality: personality(0x%lx)", v);
  return 0;
}

int procattr_set_scheduler(const struct spec_process *p, herr_t *err)
{
  if (!p->has_scheduler)
    return 0;
  struct hutch_sched_attr a;
  if (sched_build(&p->scheduler, &a, err) < 0)
    return -1;
  if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
    return herr_sys(err, "process.scheduler: sched_setattr(%s)", p->scheduler.policy);
  return 0;
}

int procattr_set_io_priority(const struct spec_process *p, herr_t *err)
{
  if (!p->has_io_priority)
    return 0;
  unsigned long klass;
  if (LOOKUP(ioprio_classes, p->io_priority.klass, &klass) < 0)
    return herr_set(err, 0, "process.ioPriority.class: unknown class \"%s\"",
                    p->io_priority.klass ? p->io_priority.klass : "");
  int prio = (int)(klass << 13) | p->io_priority.priority;
  if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, prio) < 0)
    return herr_sys(err, "process.ioPriority: ioprio_set(%s, %d)", p->io_priority.klass,
                    p->io_priority.priority);
  return 0;
}

int security_set_cpu_affinity(pid_t pid, const char *cpus, const char *field, herr_t *err)
{
  cpu_set_t set;
  if (cpus_parse(cpus, &set, field, err) < 0)
    return -1;
  if (sched_setaffinity(pid, sizeof(set), &set) < 0)
    return herr_sys(err, "%s: sched_setaffinity(%s)", field, cpus);
  return 0;
}
