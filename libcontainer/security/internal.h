/* Internal interfaces between the pieces of the security module
 * (security.c, capabilities.c, seccomp.c, lsm.c, procattr.c). */
#ifndef HUTCH_SECURITY_INTERNAL_H
#define HUTCH_SECURITY_INTERNAL_H

#include <linux/filter.h>

#include "libcontainer/security/security.h"

/* capabilities.c */
int caps_kernel_last(void);          /* /proc/sys/kernel/cap_last_cap, cached */
void caps_set_kernel_last(int last); /* tests: pretend an older kernel (-1: re-read) */
int caps_validate(const struct spec_capabilities *c, herr_t *err);
int caps_apply_bounding(const struct spec_capabilities *c, herr_t *err);
int caps_apply_final(const struct spec_capabilities *c, herr_t *err);

/* seccomp.c */
struct seccomp_bpf {
  struct sock_filter *insns;
  unsigned short n_insns;
  unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
};
int seccomp_validate(const struct spec_seccomp *sc, herr_t *err);

/* lsm.c */
bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
int lsm_validate(const struct spec *s, herr_t *err);

/* procattr.c */
int procattr_validate(const struct spec *s, herr_t *err);
int procattr_set_oom_score_adj(const struct spec_process *p, herr_t *err);
int procattr_set_scheduler(const struct spec_process *p, herr_t *err);
int procattr_set_io_priority(const struct spec_process *p, herr_t *err);

#endif
