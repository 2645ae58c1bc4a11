/* cgroup v2 device control: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, loaded and attached with raw bpf(2).
 *
 * The rules (the config's, then runc's default devices, then linux.devices)
 * are evaluated as cgroup v1 would after "devices.deny a": a type "a" rule
 * for every device resets the default (allow or deny) and forgets earlier
 * rules; after that the last matching rule wins.  The program checks the
 * rules after the last reset from last to first and returns the default when
 * none matches. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

struct rule {
  bool allow;
  char type;            /* 'a', 'b', 'c' */
  int64_t major, minor; /* -1: any */
  unsigned access;      /* BPF_DEVCG_ACC_* bits */
};

static unsigned access_bits(const char *a)
{
  if (!a || !*a)
    return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  unsigned bits = 0;
  for (; *a; a++)
    bits |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
  return bits;
}

#define INSN(c, d, s, o, i)                                                                        \
  ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static void emit(struct bpf_insn **p, size_t *n, struct bpf_insn in)
{
  *p = xrealloc(*p, (*n + 1) * sizeof(**p));
  (*p)[(*n)++] = in;
}

int cg_bpf_devices_program(const struct spec_device_cgroup *d, size_t n, struct bpf_insn **out,
                           size_t *n_insns, herr_t *err)
{
  struct spec_device_cgroup *defs;
  size_t nd = cg_default_devices(&defs);
  size_t nr = n + nd;
  struct rule *rules = xcalloc(nr, sizeof(*rules));
  size_t k = 0;
  for (size_t i = 0; i < n + nd; i++) {
    const struct spec_device_cgroup *s = i < n ? &d[i] : &defs[i - n];
    if (s->type != 'a' && s->type != 'b' && s->type != 'c') {
      free(defs);
      free(rules);
      return herr_set(err, 0, "devices[%zu].type: \"%c\" is not a/b/c", i, s->type);
    }
    rules[k++] = (struct rule){s->allow, s->type, s->has_major ? s->major : -1,
                               s->has_minor ? s->minor : -1, access_bits(s->access)};
  }
  free(defs);

  /* The last reset decides the default; rules before it do not matter. */
  bool dflt_allow = false;
  size_t first = 0;
  for (size_t i = 0; i < nr; i++)
    if (rules[i].type == 'a' && rules[i].major < 0 && rules[i].minor < 0 && rules[i].access == 7) {
      dflt_allow = rules[i].allow;
      first = i + 1;
    }

  struct bpf_insn *p = NULL;
  size_t np = 0;
  /* r2 = device type, r3 = access, r4 = major, r5 = minor */
  emit(&p, &np, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
  emit(&p, &np, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xFFFF));
  emit(&p, &np, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0));
  emit(&p, &np, INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
  emit(&p, &np, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));
  emit(&p, &np, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));
  for (size_t i = nr; i-- > first;) {
    const struct rule *r = &rules[i];
    size_t start = np;
    /* Conditional jumps get off = -1 for now: "to the end of this block". */
    if (r->type != 'a')
      emit(&p, &np,
           INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, -1,
                r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    if (r->access != 7) {
      emit(&p, &np, INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
      emit(&p, &np, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)(~r->access & 7)));
      emit(&p, &np, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, -1, 0));
    }
    if (r->major >= 0)
      emit(&p, &np, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, -1, (int)r->major));
    if (r->minor >= 0)
      emit(&p, &np, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, -1, (int)r->minor));
    emit(&p, &np, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
    emit(&p, &np, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    for (size_t j = start; j < np; j++)
      if (p[j].code == (BPF_JMP | BPF_JNE | BPF_K) && p[j].off == -1)
        p[j].off = (short)(np - j - 1);
  }
  emit(&p, &np, INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, dflt_allow ? 1 : 0));
  emit(&p, &np, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  free(rules);
  *out = p;
  *n_insns = np;
  return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
  return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cg_bpf_devices_apply(const char *dir, const struct spec_device_cgroup *d, size_t n, herr_t *err)
{
  _cleanup_free_ struct bpf_insn *insns = NULL;
  size_t ni;
  if (cg_bpf_devices_program(d, n, &insns, &ni, err) < 0)
    return -1;
  char log[4096] = "";
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uintptr_t)insns;
  a.insn_cnt = (unsigned)ni;
  a.license = (uintptr_t) "Apache";
  a.log_buf = (uintptr_t)log;
  a.log_size = sizeof(log);
  a.log_level = 1;
  _cleanup_close_ int prog = (int)bpf(BPF_PROG_LOAD, &a);
  if (prog < 0 && errno == ENOSPC) {
    /* The verifier log did not fit: load again without it. */
    a.log_buf = 0;
    a.log_size = 0;
    a.log_level = 0;
    prog = (int)bpf(BPF_PROG_LOAD, &a);
  }
  if (prog < 0) {
    int e = errno;
    log[strcspn(log, "\n")] = '\0';
    return herr_errno(err, e, "load the device filter (eBPF)%s%s", *log ? ": " : "", log);
  }
  if (fcntl(prog, F_SETFD, FD_CLOEXEC) < 0)
    return herr_sys(err, "fcntl");
  _cleanup_close_ int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0)
    return herr_sys(err, "open %s", dir);

  /* What is attached now: replaced once the new program is in place, so the
   * container is never without a filter. */
  uint32_t ids[64];
  memset(&a, 0, sizeof(a));
  a.query.target_fd = (uint32_t)cg;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uintptr_t)ids;
  a.query.prog_cnt = 64;
  uint32_t n_old = 0;
  if (bpf(BPF_PROG_QUERY, &a) == 0)
    n_old = a.query.prog_cnt;

  memset(&a, 0, sizeof(a));
  a.target_fd = (uint32_t)cg;
  a.attach_bpf_fd = (uint32_t)prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &a) < 0) {
    /* A program attached without ALLOW_MULTI: replace it in one step. */
    a.attach_flags = 0;
    if (bpf(BPF_PROG_ATTACH, &a) < 0)
      return herr_sys(err, "attach the device filter (eBPF) to %s", dir);
    return 0;
  }
  for (uint32_t i = 0; i < n_old && i < 64; i++) {
    memset(&a, 0, sizeof(a));
    a.prog_id = ids[i];
    _cleanup_close_ int old = (int)bpf(BPF_PROG_GET_FD_BY_ID, &a);
    if (old < 0)
      continue;
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)cg;
    a.attach_bpf_fd = (uint32_t)old;
    a.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &a) < 0)
      return herr_sys(err, "detach the previous device filter from %s", dir);
  }
  return 0;
}
