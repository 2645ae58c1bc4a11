/* Unit properties for a container's scope: linux.resources in systemd's
 * cgroup v2 terms (the conversions runc uses), and the
 * org.systemd.property.NAME annotations (see properties.h). */
#include "libcontainer/cgroups/systemd/properties.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/util.h"

int sd_parse_cpuset(const char *list, const char *field, uint8_t **bytes, size_t *n, herr_t *err)
{
  size_t cap = 0;
  uint8_t *b = NULL;
  const char *p = list;
  *bytes = NULL;
  *n = 0;
  while (*p) {
    char *end;
    errno = 0;
    unsigned long lo = strtoul(p, &end, 10), hi = lo;
    if (end == p || errno || lo > 8191)
      goto bad;
    p = end;
    if (*p == '-') {
      hi = strtoul(++p, &end, 10);
      if (end == p || errno || hi > 8191 || hi < lo)
        goto bad;
      p = end;
    }
    if (*p == ',')
      p++;
    else if (*p)
      goto bad;
    if (hi / 8 + 1 > cap) {
      size_t ncap = hi / 8 + 1;
      b = xrealloc(b, ncap);
      memset(b + cap, 0, ncap - cap);
      cap = ncap;
    }
    for (unsigned long i = lo; i <= hi; i++)
      b[i / 8] |= (uint8_t)(1u << (i % 8));
  }
  *bytes = b;
  *n = cap;
  return 0;
bad:
  free(b);
  return herr_set(err, EINVAL, "%s: \"%s\" is not a CPU or node list (like \"0-2,4\")", field,
                  list);
}

static int add_cpuset(struct sd_props *p, const char *prop, const char *list, const char *field,
                      herr_t *err)
{
  if (!list || !*list)
    return 0;
  uint8_t *bytes;
  size_t n;
  if (sd_parse_cpuset(list, field, &bytes, &n, err) < 0)
    return -1;
  struct sd_prop *e = sd_props_add(p, prop, SD_PROP_BYTES);
  e->bytes = bytes;
  e->n = n;
  return 0;
}

/* -1 (unlimited) is systemd's "infinity". */
static uint64_t limit_value(int64_t v)
{
  return v < 0 ? UINT64_MAX : (uint64_t)v;
}

int sd_props_from_resources(const struct spec_resources *r, struct sd_props *p, herr_t *err)
{
  if (!r)
    return 0;
  if (r->has_memory) {
    const struct spec_memory *m = &r->memory;
    if (m->has_limit && m->limit != 0)
      sd_props_add_u64(p, "MemoryMax", limit_value(m->limit));
    if (m->has_reservation && m->reservation > 0)
      sd_props_add_u64(p, "MemoryLow", (uint64_t)m->reservation);
    /* v2 swap is what comes on top of memory; memory.swap in the spec is
     * memory + swap (v1's memsw), as runc converts it. */
    if (m->has_swap && m->swap == -1)
      sd_props_add_u64(p, "MemorySwapMax", UINT64_MAX);
    else if (m->has_swap && m->has_limit && m->limit > 0 && m->swap >= m->limit)
      sd_props_add_u64(p, "MemorySwapMax", (uint64_t)(m->swap - m->limit));
  }
  if (r->has_cpu) {
    const struct spec_cpu *c = &r->cpu;
    if (c->has_shares && c->shares >= 2)
      sd_props_add_u64(p, "CPUWeight", 1 + ((c->shares - 2) * 9999) / 262142);
    uint64_t period = c->has_period ? c->period : 0;
    int64_t quota = c->has_quota ? c->quota : 0;
    if (quota != 0 || period != 0) {
      uint64_t per_sec = UINT64_MAX;
      if (quota > 0) {
        uint64_t per = period ? period : 100000;
        per_sec = (uint64_t)quota * 1000000 / per;
        /* systemd keeps 10 ms steps: round up, never below the ask. */
        if (per_sec % 10000)
          per_sec = (per_sec / 10000 + 1) * 10000;
      }
      sd_props_add_u64(p, "CPUQuotaPerSecUSec", per_sec);
    }
    if (period)
      sd_props_add_u64(p, "CPUQuotaPeriodUSec", period);
    if (add_cpuset(p, "AllowedCPUs", c->cpus, "linux.resources.cpu.cpus", err) < 0 ||
        add_cpuset(p, "AllowedMemoryNodes", c->mems, "linux.resources.cpu.mems", err) < 0)
      return -1;
  }
  if (r->has_pids && (r->pids_limit > 0 || r->pids_limit == -1))
    sd_props_add_u64(p, "TasksMax", limit_value(r->pids_limit));
  if (r->has_block_io && r->block_io.has_weight && r->block_io.weight > 0)
    sd_props_add_u64(p, "IOWeight", 1 + ((uint64_t)r->block_io.weight - 10) * 9999 / 990);
  return 0;
}

#define PREFIX "org.systemd.property."

static bool name_ok(const char *s)
{
  if (!isupper((unsigned char)*s))
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s))
      return false;
  return true;
}

/* A number with nothing after it; *neg for a leading '-'. */
static int number(const char *s, bool allow_neg, uint64_t *u, bool *neg)
{
  *neg = *s == '-';
  if (*neg && !allow_neg)
    return -1;
  const char *d = *neg ? s + 1 : s;
  if (!isdigit((unsigned char)*d))
    return -1;
  char *end;
  errno = 0;
  *u = strtoull(d, &end, 10);
  return (errno || *end) ? -1 : 0;
}

/* Parse one value in the GVariant text form runc accepts (via godbus):
 * true/false, 'text' or "text", NUMBER (int32), and typed numbers
 * "uint64 N", "int64 N", "uint32 N", "int32 N", "double N" (or @t N, ...). */
static int parse_value(const char *name, const char *v, struct sd_props *p)
{
  size_t len = strlen(v);
  if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
    sd_props_add_bool(p, name, v[0] == 't');
    return 0;
  }
  if (len >= 2 && (v[0] == '\'' || v[0] == '"') && v[len - 1] == v[0]) {
    struct sd_prop *e = sd_props_add(p, name, SD_PROP_STRING);
    e->s = strndup(v + 1, len - 2);
    if (!e->s)
      abort();
    return 0;
  }
  static const struct {
    const char *word, *at;
    enum sd_prop_type type;
  } typed[] = {
      {"uint64 ", "@t ", SD_PROP_U64},    {"int64 ", "@x ", SD_PROP_I64},
      {"uint32 ", "@u ", SD_PROP_U32},    {"int32 ", "@i ", SD_PROP_I32},
      {"double ", "@d ", SD_PROP_DOUBLE},
  };
  enum sd_prop_type type = SD_PROP_I32;
  const char *num = v;
  for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
    size_t wl = strlen(typed[i].word), al = strlen(typed[i].at);
    if (strncmp(v, typed[i].word, wl) == 0 || strncmp(v, typed[i].at, al) == 0) {
      type = typed[i].type;
      num = v + (v[0] == '@' ? al : wl);
      break;
    }
  }
  uint64_t u;
  bool neg;
  if (type == SD_PROP_DOUBLE) {
    char *end;
    errno = 0;
    double d = strtod(num, &end);
    if (end == num || *end || errno)
      return -1;
    sd_props_add(p, name, SD_PROP_DOUBLE)->v.d = d;
    return 0;
  }
  bool is_signed = type == SD_PROP_I64 || type == SD_PROP_I32;
  if (number(num, is_signed, &u, &neg) < 0)
    return -1;
  uint64_t max = type == SD_PROP_U64   ? UINT64_MAX
                 : type == SD_PROP_U32 ? UINT32_MAX
                 : type == SD_PROP_I64 ? (uint64_t)INT64_MAX + neg
                                       : (uint64_t)INT32_MAX + neg;
  if (u > max)
    return -1;
  struct sd_prop *e = sd_props_add(p, name, type);
  if (is_signed)
    e->v.i64 = neg ? (int64_t)(0 - u) : (int64_t)u;
  else
    e->v.u64 = u;
  return 0;
}

int sd_props_from_annotations(const struct spec_kv *a, size_t n, struct sd_props *p, herr_t *err)
{
  for (size_t i = 0; i < n; i++) {
    if (strncmp(a[i].key, PREFIX, strlen(PREFIX)) != 0)
      continue;
    const char *name = a[i].key + strlen(PREFIX), *v = a[i].value ? a[i].value : "";
    if (!name_ok(name))
      return herr_set(err, EINVAL, "annotations[\"%s\"]: \"%s\" is not a systemd property name",
                      a[i].key, name);
    /* As runc: NAMESec with a number means NAMEUSec in microseconds. */
    size_t nl = strlen(name);
    uint64_t secs;
    bool neg;
    if (nl > 3 && strcmp(name + nl - 3, "Sec") == 0 && strcmp(name + nl - 4, "USec") != 0 &&
        number(v, false, &secs, &neg) == 0) {
      if (secs > UINT64_MAX / 1000000)
        return herr_set(err, ERANGE, "annotations[\"%s\"]: %s is too large", a[i].key, v);
      _cleanup_free_ char *usec = xasprintf("%.*sUSec", (int)(nl - 3), name);
      sd_props_add_u64(p, usec, secs * 1000000);
      continue;
    }
    if (parse_value(name, v, p) < 0)
      return herr_set(err, EINVAL,
                      "annotations[\"%s\"]: cannot use value \"%s\" (use true/false, 'text', a "
                      "number, or uint64/int64/uint32/int32/double NUMBER)",
                      a[i].key, v);
  }
  return 0;
}
