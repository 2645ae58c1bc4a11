/* linux.seccomp. */
#include <string.h>

#include "spec/internal.h"

static int parse_arg(struct jctx *c, json_t *o, struct spec_seccomp_arg *a)
{
  int r;
  int64_t idx = 0;
  if (jv_object(c, o) < 0 || jc_int(c, o, "index", true, 0, 5, &idx) < 0)
    return -1;
  a->index = (uint32_t)idx;
  if (jc_u64(c, o, "value", true, &a->value) < 0 ||
      (r = jc_u64(c, o, "valueTwo", false, &a->value_two)) < 0)
    return -1;
  a->has_value_two = r > 0;
  if (jc_enum(c, o, "op", true, spec_seccomp_operators, "seccomp operator", &a->op) < 0)
    return -1;
  return 0;
}

static int parse_syscall(struct jctx *c, json_t *o, struct spec_seccomp_syscall *sc)
{
  int r;
  if (jv_object(c, o) < 0 || jc_strv(c, o, "names", true, &sc->names, &sc->n_names) < 0)
    return -1;
  if (sc->n_names == 0)
    return jc_fail_at(c, "names", "must not be empty");
  for (size_t i = 0; i < sc->n_names; i++) {
    if (sc->names[i][0] == '\0') {
      size_t m = jc_key(c, "names");
      jc_idx(c, i);
      jc_fail(c, "empty syscall name");
      jc_pop(c, m);
      return -1;
    }
  }
  if (jc_enum(c, o, "action", true, spec_seccomp_actions, "seccomp action", &sc->action) < 0 ||
      (r = jc_u32(c, o, "errnoRet", false, &sc->errno_ret)) < 0)
    return -1;
  sc->has_errno_ret = r > 0;
  json_t *a;
  if ((r = jc_array(c, o, "args", false, &a)) < 0)
    return -1;
  if (r > 0) {
    size_t len = json_array_size(a);
    sc->args = xcalloc(len, sizeof(*sc->args));
    sc->n_args = len;
    size_t m = jc_key(c, "args");
    for (size_t i = 0; i < len; i++) {
      size_t m2 = jc_idx(c, i);
      if (parse_arg(c, json_array_get(a, i), &sc->args[i]) < 0)
        return -1;
      jc_pop(c, m2);
    }
    jc_pop(c, m);
  }
  return 0;
}

int spec_parse_seccomp_obj(struct jctx *c, json_t *o, struct spec_seccomp *s)
{
  int r;
  if (jc_enum(c, o, "defaultAction", true, spec_seccomp_actions, "seccomp action",
              &s->default_action) < 0 ||
      (r = jc_u32(c, o, "defaultErrnoRet", false, &s->default_errno_ret)) < 0)
    return -1;
  s->has_default_errno_ret = r > 0;
  if (jc_strv(c, o, "architectures", false, &s->architectures, &s->n_architectures) < 0 ||
      jc_check_names(c, "architectures", s->architectures, s->n_architectures, spec_seccomp_archs,
                     "seccomp architecture") < 0 ||
      jc_strv(c, o, "flags", false, &s->flags, &s->n_flags) < 0 ||
      jc_check_names(c, "flags", s->flags, s->n_flags, spec_seccomp_flags, "seccomp flag") < 0 ||
      jc_abspath(c, o, "listenerPath", false, &s->listener_path) < 0 ||
      jc_string(c, o, "listenerMetadata", false, &s->listener_metadata) < 0)
    return -1;
  json_t *a;
  if ((r = jc_array(c, o, "syscalls", false, &a)) < 0)
    return -1;
  bool notify = strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0;
  if (r > 0) {
    size_t len = json_array_size(a);
    s->syscalls = xcalloc(len, sizeof(*s->syscalls));
    s->n_syscalls = len;
    size_t m = jc_key(c, "syscalls");
    for (size_t i = 0; i < len; i++) {
      size_t m2 = jc_idx(c, i);
      if (parse_syscall(c, json_array_get(a, i), &s->syscalls[i]) < 0)
        return -1;
      notify = notify || strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0;
      jc_pop(c, m2);
    }
    jc_pop(c, m);
  }
  if (notify && s->listener_path == NULL)
    return jc_fail(c, "SCMP_ACT_NOTIFY needs listenerPath");
  if (notify && strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return jc_fail_at(c, "defaultAction",
                      "SCMP_ACT_NOTIFY cannot be the default action (it would trap every "
                      "syscall, including the runtime's own)");
  return 0;
}
