/* The process object (config.json "process" and exec's process.json). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/internal.h"

static const char *const sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const char *const sched_flags[] = {
    "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
    "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
    "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

static const char *const ioprio_classes[] = {
    "IOPRIO_CLASS_RT",
    "IOPRIO_CLASS_BE",
    "IOPRIO_CLASS_IDLE",
    NULL,
};

static int parse_user(struct jctx *c, json_t *p, struct spec_user *u)
{
  json_t *o;
  int r = jc_object(c, p, "user", false, &o);
  if (r <= 0)
    return r;
  size_t m = jc_key(c, "user");
  if (jc_id(c, o, "uid", true, &u->uid) < 0 || jc_id(c, o, "gid", true, &u->gid) < 0)
    return -1;
  r = jc_u32(c, o, "umask", false, &u->umask);
  if (r < 0)
    return -1;
  u->has_umask = r > 0;
  if (u->has_umask && u->umask > 0777)
    return jc_fail_at(c, "umask", "must be between 0 and 0777 (511), got %u", u->umask);
  json_t *a;
  r = jc_array(c, o, "additionalGids", false, &a);
  if (r < 0)
    return -1;
  if (r > 0) {
    size_t len = json_array_size(a);
    u->additional_gids = xcalloc(len, sizeof(uint32_t));
    u->n_additional_gids = len;
    size_t m2 = jc_key(c, "additionalGids");
    for (size_t i = 0; i < len; i++) {
      size_t m3 = jc_idx(c, i);
      int64_t x;
      if (jv_int(c, json_array_get(a, i), 0, SPEC_ID_MAX, &x) < 0)
        return -1;
      u->additional_gids[i] = (uint32_t)x;
      jc_pop(c, m3);
    }
    jc_pop(c, m2);
  }
  if (jc_string(c, o, "username", false, &u->username) < 0)
    return -1;
  jc_pop(c, m);
  return 0;
}

static int parse_capabilities(struct jctx *c, json_t *p, struct spec_process *proc)
{
  json_t *o;
  int r = jc_object(c, p, "capabilities", false, &o);
  if (r <= 0)
    return r;
  proc->has_capabilities = true;
  struct spec_capabilities *caps = &proc->capabilities;
  struct {
    const char *key;
    char ***v;
    size_t *n;
    bool *has;
  } sets[] = {
      {"bounding", &caps->bounding, &caps->n_bounding, &caps->has_bounding},
      {"effective", &caps->effective, &caps->n_effective, &caps->has_effective},
      {"inheritable", &caps->inheritable, &caps->n_inheritable, &caps->has_inheritable},
      {"permitted", &caps->permitted, &caps->n_permitted, &caps->has_permitted},
      {"ambient", &caps->ambient, &caps->n_ambient, &caps->has_ambient},
  };
  size_t m = jc_key(c, "capabilities");
  for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
    r = jc_strv(c, o, sets[k].key, false, sets[k].v, sets[k].n);
    if (r < 0)
      return -1;
    *sets[k].has = r > 0;
    size_t m2 = jc_key(c, sets[k].key);
    for (size_t i = 0; i < *sets[k].n; i++) {
      char *name = (*sets[k].v)[i];
      int cap = spec_cap_from_name(name);
      size_t m3 = jc_idx(c, i);
      if (cap < 0)
        return jc_fail(c, "unknown capability \"%s\"", name);
      jc_pop(c, m3);
      /* Store the canonical spelling ("cap_kill" -> "CAP_KILL"). */
      if (strcmp(name, spec_cap_name(cap)) != 0) {
        free(name);
        (*sets[k].v)[i] = xstrdup(spec_cap_name(cap));
      }
    }
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_rlimits(struct jctx *c, json_t *p, struct spec_process *proc)
{
  json_t *a;
  int r = jc_array(c, p, "rlimits", false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  proc->rlimits = xcalloc(len, sizeof(*proc->rlimits));
  proc->n_rlimits = len;
  size_t m = jc_key(c, "rlimits");
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *o = json_array_get(a, i);
    struct spec_rlimit *rl = &proc->rlimits[i];
    if (jv_object(c, o) < 0 || jc_string(c, o, "type", true, &rl->type) < 0)
      return -1;
    rl->resource = spec_rlimit_from_name(rl->type);
    if (rl->resource < 0)
      return jc_fail_at(c, "type", "unknown rlimit \"%s\"", rl->type);
    for (size_t j = 0; j < i; j++)
      if (proc->rlimits[j].resource == rl->resource)
        return jc_fail_at(c, "type", "duplicate rlimit \"%s\" (also in rlimits[%zu])", rl->type, j);
    if (jc_u64(c, o, "soft", true, &rl->soft) < 0 || jc_u64(c, o, "hard", true, &rl->hard) < 0)
      return -1;
    if (rl->soft > rl->hard)
      return jc_fail(c, "soft limit %" PRIu64 " is greater than hard limit %" PRIu64, rl->soft,
                     rl->hard);
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_scheduler(struct jctx *c, json_t *p, struct spec_process *proc)
{
  json_t *o;
  int r = jc_object(c, p, "scheduler", false, &o);
  if (r <= 0)
    return r;
  proc->has_scheduler = true;
  struct spec_scheduler *s = &proc->scheduler;
  size_t m = jc_key(c, "scheduler");
  if (jc_enum(c, o, "policy", true, sched_policies, "scheduler policy", &s->policy) < 0)
    return -1;
  int64_t x;
  if ((r = jc_int(c, o, "nice", false, -20, 19, &x)) < 0)
    return -1;
  if ((s->has_nice = r > 0))
    s->nice = (int32_t)x;
  if ((r = jc_i32(c, o, "priority", false, &s->priority)) < 0)
    return -1;
  s->has_priority = r > 0;
  if ((r = jc_strv(c, o, "flags", false, &s->flags, &s->n_flags)) < 0)
    return -1;
  for (size_t i = 0; i < s->n_flags; i++) {
    bool ok = false;
    for (size_t j = 0; sched_flags[j]; j++)
      ok = ok || strcmp(sched_flags[j], s->flags[i]) == 0;
    if (!ok) {
      size_t m2 = jc_key(c, "flags");
      jc_idx(c, i);
      jc_fail(c, "unknown scheduler flag \"%s\"", s->flags[i]);
      jc_pop(c, m2);
      return -1;
    }
  }
  if ((r = jc_u64(c, o, "runtime", false, &s->runtime)) < 0)
    return -1;
  s->has_runtime = r > 0;
  if ((r = jc_u64(c, o, "deadline", false, &s->deadline)) < 0)
    return -1;
  s->has_deadline = r > 0;
  if ((r = jc_u64(c, o, "period", false, &s->period)) < 0)
    return -1;
  s->has_period = r > 0;
  jc_pop(c, m);
  return 0;
}

static int parse_io_priority(struct jctx *c, json_t *p, struct spec_process *proc)
{
  json_t *o;
  int r = jc_object(c, p, "ioPriority", false, &o);
  if (r <= 0)
    return r;
  proc->has_io_priority = true;
  size_t m = jc_key(c, "ioPriority");
  if (jc_enum(c, o, "class", true, ioprio_classes, "ioPriority class", &proc->io_priority.klass) <
      0)
    return -1;
  int64_t x = 0;
  if ((r = jc_int(c, o, "priority", true, 0, 7, &x)) < 0)
    return -1;
  proc->io_priority.priority = (int32_t)x;
  jc_pop(c, m);
  return 0;
}

/* A cpu list such as "0-3,7". */
static bool valid_cpu_list(const char *s)
{
  if (*s == '\0')
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == ','))
      return false;
  return true;
}

static int parse_exec_cpu_affinity(struct jctx *c, json_t *p, struct spec_process *proc)
{
  json_t *o;
  int r = jc_object(c, p, "execCPUAffinity", false, &o);
  if (r <= 0)
    return r;
  size_t m = jc_key(c, "execCPUAffinity");
  const char *keys[] = {"initial", "final"};
  char **vals[] = {&proc->exec_cpu_affinity_initial, &proc->exec_cpu_affinity_final};
  for (int i = 0; i < 2; i++) {
    if ((r = jc_string(c, o, keys[i], false, vals[i])) < 0)
      return -1;
    if (r > 0 && !valid_cpu_list(*vals[i]))
      return jc_fail_at(c, keys[i], "invalid CPU list \"%s\" (expected e.g. \"0-3,7\")", *vals[i]);
  }
  jc_pop(c, m);
  return 0;
}

int spec_parse_process_obj(struct jctx *c, json_t *o, struct spec_process *p)
{
  int r;
  if (jc_bool(c, o, "terminal", false, &p->terminal) < 0)
    return -1;
  json_t *cs;
  if ((r = jc_object(c, o, "consoleSize", false, &cs)) < 0)
    return -1;
  if (r > 0) {
    p->has_console_size = true;
    size_t m = jc_key(c, "consoleSize");
    if (jc_u32(c, cs, "height", true, &p->console_height) < 0 ||
        jc_u32(c, cs, "width", true, &p->console_width) < 0)
      return -1;
    jc_pop(c, m);
  }
  if (parse_user(c, o, &p->user) < 0)
    return -1;
  if (jc_string(c, o, "commandLine", false, &p->command_line) < 0 ||
      jc_strv(c, o, "args", true, &p->args, &p->n_args) < 0)
    return -1;
  if (p->n_args == 0)
    return jc_fail_at(c, "args", "must not be empty (the command to run)");
  if (jc_strv(c, o, "env", false, &p->env, &p->n_env) < 0)
    return -1;
  for (size_t i = 0; i < p->n_env; i++) {
    if (strchr(p->env[i], '=') == NULL || p->env[i][0] == '=') {
      size_t m = jc_key(c, "env");
      jc_idx(c, i);
      jc_fail(c, "expected KEY=VALUE, got \"%s\"", p->env[i]);
      jc_pop(c, m);
      return -1;
    }
  }
  if (jc_abspath(c, o, "cwd", true, &p->cwd) < 0 || parse_capabilities(c, o, p) < 0 ||
      parse_rlimits(c, o, p) < 0 ||
      jc_bool(c, o, "noNewPrivileges", false, &p->no_new_privileges) < 0 ||
      jc_string(c, o, "apparmorProfile", false, &p->apparmor_profile) < 0)
    return -1;
  int64_t x;
  if ((r = jc_int(c, o, "oomScoreAdj", false, -1000, 1000, &x)) < 0)
    return -1;
  if ((p->has_oom_score_adj = r > 0))
    p->oom_score_adj = (int32_t)x;
  if (jc_string(c, o, "selinuxLabel", false, &p->selinux_label) < 0 ||
      parse_scheduler(c, o, p) < 0 || parse_io_priority(c, o, p) < 0 ||
      parse_exec_cpu_affinity(c, o, p) < 0)
    return -1;
  return 0;
}
