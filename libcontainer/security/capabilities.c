/* process.capabilities with libcap: the five sets, in the order the user
 * switch needs (see security.h):
 *   before setuid: drop the bounding set (needs CAP_SETPCAP), PR_SET_KEEPCAPS
 *   after setuid:  clear KEEPCAPS, set effective/permitted/inheritable, then
 *                  raise the ambient set (needs each cap in permitted and
 *                  inheritable; one that is not is skipped with a warning,
 *                  as runc does). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "spec/base/log.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

#define CAPS_MAX 64

static int last = -1;

void caps_set_kernel_last(int v)
{
  last = v;
}

int caps_kernel_last(void)
{
  if (last >= 0)
    return last;
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  if (f) {
    int v;
    if (fscanf(f, "%d", &v) == 1 && v > 0 && v < CAPS_MAX)
      last = v;
    fclose(f);
  }
  if (last < 0) {
    /* No /proc (e.g. after pivot_root): probe the bounding set. */
    int c = 0;
    while (c + 1 < CAPS_MAX && prctl(PR_CAPBSET_READ, (unsigned long)(c + 1), 0, 0, 0) >= 0)
      c++;
    last = c;
  }
  return last;
}

static const char *cap_display(int cap, char *buf, size_t len)
{
  char *n = cap_to_name((cap_value_t)cap);
  if (!n) {
    snprintf(buf, len, "capability %d", cap);
    return buf;
  }
  size_t i = 0;
  /* libcap names are lower case ("cap_sys_admin"); the spec's upper case. */
  for (; n[i] && i + 1 < len; i++)
    buf[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
  buf[i] = 0;
  cap_free(n);
  return buf;
}

/* Names -> bit mask, checking each against this kernel. */
static int caps_mask(const char *set, char *const *names, size_t n, uint64_t *mask, herr_t *err)
{
  int last = caps_kernel_last();
  *mask = 0;
  for (size_t i = 0; i < n; i++) {
    cap_value_t v;
    /* Spec names only ("CAP_CHOWN"): libcap alone would take "cap_chown" or "0". */
    if (strncmp(names[i], "CAP_", 4) != 0 ||
        strspn(names[i] + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(names[i] + 4) ||
        cap_from_name(names[i], &v) < 0)
      return herr_set(err, 0, "process.capabilities.%s: unknown capability \"%s\"", set, names[i]);
    if (v > last || v >= CAPS_MAX)
      return herr_set(err, 0, "process.capabilities.%s: %s is not supported by this kernel", set,
                      names[i]);
    *mask |= UINT64_C(1) << v;
  }
  return 0;
}

struct caps_masks {
  uint64_t bnd, eff, inh, prm, amb;
};

static int caps_masks(const struct spec_capabilities *c, struct caps_masks *m, herr_t *err)
{
  /* A set absent from a present object is empty (as runc). */
  if (caps_mask("bounding", c->bounding, c->n_bounding, &m->bnd, err) < 0 ||
      caps_mask("effective", c->effective, c->n_effective, &m->eff, err) < 0 ||
      caps_mask("inheritable", c->inheritable, c->n_inheritable, &m->inh, err) < 0 ||
      caps_mask("permitted", c->permitted, c->n_permitted, &m->prm, err) < 0 ||
      caps_mask("ambient", c->ambient, c->n_ambient, &m->amb, err) < 0)
    return -1;
  return 0;
}

static int first_bit(uint64_t m)
{
  return m ? __builtin_ctzll(m) : -1;
}

int caps_validate(const struct spec_capabilities *c, herr_t *err)
{
  struct caps_masks m;
  char b[64];
  if (caps_masks(c, &m, err) < 0)
    return -1;
  if (m.eff & ~m.prm)
    return herr_set(err, 0, "process.capabilities.effective: %s is not in the permitted set",
                    cap_display(first_bit(m.eff & ~m.prm), b, sizeof(b)));
  return 0;
}

int caps_apply_bounding(const struct spec_capabilities *c, herr_t *err)
{
  struct caps_masks m;
  char b[64];
  if (caps_masks(c, &m, err) < 0)
    return -1;
  int last = caps_kernel_last();
  for (int cap = 0; cap <= last; cap++) {
    if (m.bnd & (UINT64_C(1) << cap)) {
      int in = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
      if (in < 0)
        return herr_sys(err, "process.capabilities.bounding: read %s",
                        cap_display(cap, b, sizeof(b)));
      if (!in)
        hlog_warn("process.capabilities.bounding: %s is not in hutch's own bounding set: the "
                  "container cannot have it",
                  cap_display(cap, b, sizeof(b)));
      continue;
    }
    /* Dropping a cap already out of the set succeeds: no read first (but
     * without CAP_SETPCAP, EPERM is fine for a cap that is not there). */
    if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 &&
        !(errno == EPERM && prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 0))
      return herr_sys(err, "process.capabilities.bounding: drop %s%s",
                      cap_display(cap, b, sizeof(b)),
                      errno == EPERM ? " (hutch lacks CAP_SETPCAP)" : "");
  }
  return 0;
}

/* Why did capset refuse?  Name the first capability that breaks a kernel rule. */
static int caps_explain(const struct caps_masks *m, int errnum, herr_t *err)
{
  char b[64];
  cap_t cur = cap_get_proc();
  uint64_t prm = 0, inh = 0;
  for (int cap = 0; cur && cap < CAPS_MAX && cap <= caps_kernel_last(); cap++) {
    cap_flag_value_t v;
    if (cap_get_flag(cur, (cap_value_t)cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
      prm |= UINT64_C(1) << cap;
    if (cap_get_flag(cur, (cap_value_t)cap, CAP_INHERITABLE, &v) == 0 && v == CAP_SET)
      inh |= UINT64_C(1) << cap;
  }
  if (cur)
    cap_free(cur);
  uint64_t bnd = 0;
  for (int cap = 0; cap <= caps_kernel_last(); cap++)
    if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 1)
      bnd |= UINT64_C(1) << cap;
  if (m->prm & ~prm)
    return herr_errno(err, errnum,
                      "process.capabilities.permitted: cannot set %s: the runtime does not "
                      "have it",
                      cap_display(first_bit(m->prm & ~prm), b, sizeof(b)));
  if (m->inh & ~(inh | bnd))
    return herr_errno(err, errnum,
                      "process.capabilities.inheritable: cannot set %s: it is not in the "
                      "bounding set",
                      cap_display(first_bit(m->inh & ~(inh | bnd)), b, sizeof(b)));
  return herr_errno(err, errnum, "process.capabilities: capset");
}

int caps_apply_final(const struct spec_capabilities *c, herr_t *err)
{
  struct caps_masks m;
  char b[64];
  if (caps_masks(c, &m, err) < 0)
    return -1;
  cap_value_t e[CAPS_MAX], p[CAPS_MAX], i[CAPS_MAX];
  int ne = 0, np = 0, ni = 0;
  for (int cap = 0; cap < CAPS_MAX; cap++) {
    uint64_t bit = UINT64_C(1) << cap;
    if (m.eff & bit)
      e[ne++] = cap;
    if (m.prm & bit)
      p[np++] = cap;
    if (m.inh & bit)
      i[ni++] = cap;
  }
  cap_t caps = cap_init();
  if (!caps)
    return herr_sys(err, "process.capabilities: cap_init");
  int r = 0;
  if ((ne && cap_set_flag(caps, CAP_EFFECTIVE, ne, e, CAP_SET) < 0) ||
      (np && cap_set_flag(caps, CAP_PERMITTED, np, p, CAP_SET) < 0) ||
      (ni && cap_set_flag(caps, CAP_INHERITABLE, ni, i, CAP_SET) < 0))
    r = herr_sys(err, "process.capabilities: cap_set_flag");
  else if (cap_set_proc(caps) < 0)
    r = caps_explain(&m, errno, err);
  cap_free(caps);
  if (r < 0)
    return r;

  /* Ambient last: each raise needs the cap in permitted and inheritable.
   * One CLEAR_ALL (libcap's cap_reset_ambient checks every cap first). */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return herr_sys(err, "process.capabilities.ambient: reset");
  char skipped[512] = "";
  for (int cap = 0; cap < CAPS_MAX; cap++) {
    if (!(m.amb & (UINT64_C(1) << cap)))
      continue;
    if (!(m.prm & m.inh & (UINT64_C(1) << cap))) {
      /* The kernel refuses it; runc (>= 1.3) warns and goes on, and configs
       * written by `runc spec` 1.1 list ambient caps without inheritable. */
      size_t l = strlen(skipped);
      snprintf(skipped + l, sizeof(skipped) - l, "%s%s", l ? ", " : "",
               cap_display(cap, b, sizeof(b)));
      continue;
    }
    if (cap_set_ambient((cap_value_t)cap, CAP_SET) < 0)
      return herr_sys(err, "process.capabilities.ambient: raise %s",
                      cap_display(cap, b, sizeof(b)));
  }
  /* For uid 0 the ambient set changes nothing (exec gives root its bounding
   * set), and `runc spec` configs list ambient caps without inheritable:
   * runc and crun say nothing then, so only --debug does. */
  if (skipped[0])
    hlog(geteuid() == 0 ? HLOG_DEBUG : HLOG_WARN,
         "process.capabilities.ambient: not raised (not in both permitted and "
         "inheritable): %s",
         skipped);
  return 0;
}
