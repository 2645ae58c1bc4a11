/* Confinement applied by the init (and exec) process just before execve:
 *   security_prepare(p, err)        before switching user: drop the bounding
 *                                   set, PR_SET_KEEPCAPS, oomScoreAdj,
 *                                   personality, scheduler, ioPriority,
 *                                   execCPUAffinity.initial
 *   (the caller switches user: setgroups/setgid/setuid)
 *   security_finish_caps(p, err)    effective/permitted/inheritable, ambient
 *   security_set_lsm_labels(p, err) apparmorProfile / selinuxLabel for exec
 *   seccomp_install(sc, nnp, &notify_fd, err)  the filter, as late as possible
 *   (no_new_privs is set by seccomp_install or explicitly when asked)
 * Each function is a no-op for fields the config leaves out. */
#ifndef HUTCH_SECURITY_H
#define HUTCH_SECURITY_H

#include <stdbool.h>

#include "libcontainer/error.h"
#include "spec/spec.h"

int security_prepare(const struct spec_process *p, herr_t *err);
int security_finish_caps(const struct spec_process *p, herr_t *err);
int security_set_lsm_labels(const struct spec_process *p, herr_t *err);
int security_set_no_new_privs(herr_t *err);
/* Load the seccomp filter.  *notify_fd receives the listener fd when a rule
 * uses SCMP_ACT_NOTIFY (else -1). */
int seccomp_install(const struct spec_seccomp *sc, int *notify_fd, herr_t *err);
/* In the runtime (parent): send notify_fd to linux.seccomp.listenerPath with
 * the container state JSON and listenerMetadata, as the runtime-spec says. */
int seccomp_send_to_listener(const struct spec_seccomp *sc, int notify_fd, const char *state_json,
                             herr_t *err);

#endif
