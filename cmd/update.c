/* hutch update [--resources FILE|-] [runc's per-field flags] ID: change the
 * resource limits of a container.  The per-field flags apply on top of the
 * --resources document. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cgcmd.h"
#include "cmd/cmd.h"
#include "libcontainer/utils/fileio.h"
#include "libcontainer/validate/validate.h"

/* Parse a lone linux.resources object with the spec parser (same validation
 * and messages as config.json) by wrapping it in a minimal config. */
static int parse_resources(const char *text, size_t len, const char *fname, struct spec **out,
                           herr_t *err)
{
  json_error_t je;
  json_t *res = json_loadb(text, len, 0, &je);
  if (!res)
    return herr_set(err, 0, "%s: line %d, column %d: %s", fname, je.line, je.column, je.text);
  if (!json_is_object(res)) {
    json_decref(res);
    return herr_set(err, 0, "%s: expected a JSON object (linux.resources)", fname);
  }
  json_t *doc = json_pack("{s:s, s:{s:s}, s:{s:o}}", "ociVersion", "1.0.0", "root", "path",
                          "rootfs", "linux", "resources", res);
  char *s = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  int r = spec_parse(s, strlen(s), fname, out, err);
  free(s);
  return r;
}

/* Bytes with an optional unit as runc/docker accept: 64m, 1.5g, 512KiB, -1. */
static int parse_bytes(const char *opt, const char *v, int64_t *out, herr_t *err)
{
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || end == v)
    return herr_set(err, 0, "--%s: \"%s\" is not a size (like 64m or 1g)", opt, v);
  double mul = 1;
  switch (tolower((unsigned char)*end)) {
  case 'k':
    mul = 1024.0;
    break;
  case 'm':
    mul = 1024.0 * 1024;
    break;
  case 'g':
    mul = 1024.0 * 1024 * 1024;
    break;
  case 't':
    mul = 1024.0 * 1024 * 1024 * 1024;
    break;
  case 'p':
    mul = 1024.0 * 1024 * 1024 * 1024 * 1024;
    break;
  case 'b':
  case '\0':
    break;
  default:
    return herr_set(err, 0, "--%s: \"%s\" is not a size (like 64m or 1g)", opt, v);
  }
  if (*end && tolower((unsigned char)*end) != 'b') {
    end++;
    if (*end == 'i' || *end == 'I')
      end++;
  }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end)
    return herr_set(err, 0, "--%s: \"%s\" is not a size (like 64m or 1g)", opt, v);
  if (d == -1) {
    *out = -1;
    return 0;
  }
  if (d < 0)
    return herr_set(err, 0, "--%s: %s is not valid (bytes, or -1 for unlimited)", opt, v);
  *out = (int64_t)(d * mul);
  return 0;
}

static int parse_int(const char *opt, const char *v, int64_t min, int64_t max, int64_t *out,
                     herr_t *err)
{
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (errno || end == v || *end)
    return herr_set(err, 0, "--%s: \"%s\" is not an integer", opt, v);
  if (n < min || n > max)
    return herr_set(err, 0, "--%s: %s is out of range (%" PRId64 "..%" PRId64 ")", opt, v, min,
                    max);
  *out = n;
  return 0;
}

enum {
  O_BLKIO = 256,
  O_CPU_PERIOD,
  O_CPU_QUOTA,
  O_CPU_SHARE,
  O_RT_PERIOD,
  O_RT_RUNTIME,
  O_CPUS,
  O_MEMS,
  O_MEM,
  O_MEM_RES,
  O_MEM_SWAP,
  O_PIDS,
  O_L3,
  O_MBW,
  O_KMEM,
};

static int apply_flag(struct spec_resources *r, int opt, const char *name, const char *v,
                      herr_t *err)
{
  int64_t n;
  switch (opt) {
  case O_BLKIO:
    if (parse_int(name, v, 10, 1000, &n, err) < 0)
      return -1;
    r->has_block_io = r->block_io.has_weight = true;
    r->block_io.weight = (uint16_t)n;
    return 0;
  case O_CPU_PERIOD:
  case O_CPU_SHARE:
  case O_RT_PERIOD:
    if (parse_int(name, v, 0, INT64_MAX, &n, err) < 0)
      return -1;
    r->has_cpu = true;
    if (opt == O_CPU_PERIOD)
      r->cpu.has_period = true, r->cpu.period = (uint64_t)n;
    else if (opt == O_CPU_SHARE)
      r->cpu.has_shares = true, r->cpu.shares = (uint64_t)n;
    else
      r->cpu.has_realtime_period = true, r->cpu.realtime_period = (uint64_t)n;
    return 0;
  case O_CPU_QUOTA:
  case O_RT_RUNTIME:
    if (parse_int(name, v, -1, INT64_MAX, &n, err) < 0)
      return -1;
    r->has_cpu = true;
    if (opt == O_CPU_QUOTA)
      r->cpu.has_quota = true, r->cpu.quota = n;
    else
      r->cpu.has_realtime_runtime = true, r->cpu.realtime_runtime = n;
    return 0;
  case O_CPUS:
    r->has_cpu = true;
    free(r->cpu.cpus);
    r->cpu.cpus = xstrdup(v);
    return 0;
  case O_MEMS:
    r->has_cpu = true;
    free(r->cpu.mems);
    r->cpu.mems = xstrdup(v);
    return 0;
  case O_MEM:
  case O_MEM_RES:
  case O_MEM_SWAP:
    if (parse_bytes(name, v, &n, err) < 0)
      return -1;
    r->has_memory = true;
    if (opt == O_MEM)
      r->memory.has_limit = true, r->memory.limit = n;
    else if (opt == O_MEM_RES)
      r->memory.has_reservation = true, r->memory.reservation = n;
    else
      r->memory.has_swap = true, r->memory.swap = n;
    return 0;
  case O_PIDS:
    if (parse_int(name, v, INT64_MIN, INT64_MAX, &n, err) < 0)
      return -1;
    r->has_pids = true;
    r->pids_limit = n;
    return 0;
  case O_L3:
  case O_MBW:
    return herr_set(err, 0, "--%s: Intel RDT is not supported", name);
  case O_KMEM:
    return herr_set(err, 0,
                    "--kernel-memory: kernel memory limits are deprecated and not "
                    "supported by update");
  }
  return 0;
}

int cmd_update(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"resources", required_argument, NULL, 'r'},
      {"blkio-weight", required_argument, NULL, O_BLKIO},
      {"cpu-period", required_argument, NULL, O_CPU_PERIOD},
      {"cpu-quota", required_argument, NULL, O_CPU_QUOTA},
      {"cpu-share", required_argument, NULL, O_CPU_SHARE},
      {"cpu-rt-period", required_argument, NULL, O_RT_PERIOD},
      {"cpu-rt-runtime", required_argument, NULL, O_RT_RUNTIME},
      {"cpuset-cpus", required_argument, NULL, O_CPUS},
      {"cpuset-mems", required_argument, NULL, O_MEMS},
      {"memory", required_argument, NULL, O_MEM},
      {"memory-reservation", required_argument, NULL, O_MEM_RES},
      {"memory-swap", required_argument, NULL, O_MEM_SWAP},
      {"pids-limit", required_argument, NULL, O_PIDS},
      {"l3-cache-schema", required_argument, NULL, O_L3},
      {"mem-bw-schema", required_argument, NULL, O_MBW},
      {"kernel-memory", required_argument, NULL, O_KMEM},
      {0, 0, 0, 0},
  };
  const char *resources = NULL;
  struct {
    int opt;
    const char *name, *value;
  } flags[32];
  size_t nflags = 0;
  int c, idx = 0;
  while ((c = cmd_getopt(argc, argv, "r:", longopts, "update")) != -1) {
    if (c == 'r') {
      resources = optarg;
      continue;
    }
    if (nflags == sizeof(flags) / sizeof(flags[0]))
      return cmd_usage_error("update", "too many options");
    for (idx = 0; longopts[idx].name; idx++)
      if (longopts[idx].val == c)
        break;
    flags[nflags].opt = c;
    flags[nflags].name = longopts[idx].name;
    flags[nflags++].value = optarg;
  }
  if (cmd_check_args("update", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  if (!resources && nflags == 0)
    return cmd_usage_error("update", "nothing to change: give --resources FILE|- or a limit flag");

  herr_t err = NULL;
  struct spec *s = NULL;
  if (resources) {
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (strcmp(resources, "-") == 0) {
      ssize_t n = read_all_fd(0, &text);
      if (n < 0) {
        herr_sys(&err, "read stdin");
        return cmd_fail(ctx, &err, "update %s: --resources", id);
      }
      len = (size_t)n;
    } else if (read_file_at(AT_FDCWD, resources, &text, &len, &err) < 0) {
      return cmd_fail(ctx, &err, "update %s: --resources", id);
    }
    const char *base = strcmp(resources, "-") == 0 ? "stdin" : resources;
    if (parse_resources(text, len, base, &s, &err) < 0)
      return cmd_fail(ctx, &err, "update %s", id);
  } else {
    s = xcalloc(1, sizeof(*s));
    s->has_linux = true;
  }
  struct spec_resources *r = &s->linux_.resources;
  for (size_t i = 0; i < nflags; i++)
    if (apply_flag(r, flags[i].opt, flags[i].name, flags[i].value, &err) < 0) {
      spec_free(s);
      return cmd_fail(ctx, &err, "update %s", id);
    }

  struct container *ct = NULL;
  if (cgcmd_load_verb(ctx->root, id, true, "set limits in", &ct, NULL, &err) < 0) {
    spec_free(s);
    return cmd_fail(ctx, &err, "update %s", id);
  }
  int ret = 0;
  enum container_status st = container_status(ct);
  if (st == CONTAINER_STOPPED)
    ret = herr_set(&err, 0, "the container is stopped");
  else if ((ret = validate_resources(r, &err)) == 0)
    ret = cgroup_update(ct->cgroup, r, &err);
  container_free(ct);
  spec_free(s);
  if (ret < 0)
    return cmd_fail(ctx, &err, "update %s", id);
  return 0;
}
