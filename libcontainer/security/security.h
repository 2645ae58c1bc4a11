/* Confinement of the container process: capabilities, seccomp, no_new_privs,
 * LSM labels and process attributes.  docs/SECURITY.md explains the threat
 * model and why each step sits where it does.
 *
 * In the runtime (parent), before creating anything (bad input: exit 1 and
 * nothing left behind):
 *   security_validate(spec, err)        every confinement field checked (by
 *                                       validate_config) against this kernel and host
 *   seccomp_compile(&spec->linux_.seccomp, &bpf, err)   (optional: compile
 *                                       once in the parent; a forked init
 *                                       inherits it; else seccomp_install
 *                                       compiles in the init)
 *
 * In the init (and, later, exec) process, in this order:
 *   security_make_undumpable(err)       FIRST, right after fork, before
 *                                       joining/creating any container
 *                                       namespace (CVE-2019-5736)
 *   ... namespaces, rootfs, pivot, console ...
 *   security_cloexec_fds(3, keep, n, err)  every runtime fd CLOEXEC
 *                                       (keep: the channel START came on,
 *                                       LISTEN_FDS/preserved fds)
 *   chdir(process.cwd); security_check_cwd(err)   (CVE-2024-21626)
 *   if (has_seccomp && !p->no_new_privileges)
 *     seccomp_install()/seccomp_bpf_load()  here: without no_new_privs loading a
 *                                       filter needs CAP_SYS_ADMIN, which the
 *                                       user switch may drop (runc does the
 *                                       same); the profile must then allow
 *                                       the syscalls below (docker's does)
 *   security_prepare(p, err)            bounding set, PR_SET_KEEPCAPS,
 *                                       oomScoreAdj, scheduler, ioPriority
 *   if (s->linux_.has_personality)
 *     security_set_personality(&s->linux_.personality, err)
 *   (the caller switches user: setgroups/setgid/setuid)
 *   security_finish_caps(p, err)        clear KEEPCAPS, effective/permitted/
 *                                       inheritable, ambient; re-asserts
 *                                       non-dumpable (setuid may reset it)
 *   security_set_lsm_labels(p, err)     apparmorProfile / selinuxLabel (on exec)
 *   if (p->no_new_privileges) security_set_no_new_privs(err)
 *   if (has_seccomp && p->no_new_privileges)
 *     seccomp_install()/seccomp_bpf_load()  the very last step before execve
 *   (send *notify_fd, if >= 0, to the parent with SCM_RIGHTS at once and
 *    close it: a notified syscall blocks until the agent answers; the parent
 *    calls seccomp_send_to_listener() with the state JSON)
 *   execve
 * Each function is a no-op for fields the config leaves out.  A process
 * without a `capabilities` object keeps the capabilities it has (runc >= 1.3;
 * runc 1.1 cleared them). */
#ifndef HUTCH_SECURITY_H
#define HUTCH_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/base/error.h"
#include "spec/spec.h"

/* Parent: validate process.capabilities (against the kernel's cap_last_cap),
 * linux.seccomp (actions, architectures, operators, flags, errnoRet,
 * listener), personality, scheduler, ioPriority, execCPUAffinity, and the
 * LSM fields against the LSMs this host runs.  Errors name the field:
 * "process.capabilities.bounding: CAP_X is not supported by this kernel". */
int security_validate(const struct spec *s, herr_t *err);

/* Init: PR_SET_DUMPABLE 0 (execve makes the user program dumpable again).
 * While the init is still hutch, no process in the container can open its
 * /proc/<pid>/exe, fd/, mem, map_files (CVE-2019-5736). */
int security_make_undumpable(herr_t *err);

/* Init: set FD_CLOEXEC on every fd >= min_fd except those in keep[]. */
int security_cloexec_fds(int min_fd, const int *keep, size_t n_keep, herr_t *err);

/* Init, right after chdir(process.cwd): fail unless the working directory is
 * reachable from the (new) root, i.e. getcwd() returns an absolute path and
 * not "(unreachable)/..." (a leaked host fd used as cwd, CVE-2024-21626). */
int security_check_cwd(herr_t *err);

/* process.oomScoreAdj now (a rootless init sets it while still dumpable,
 * when /proc/self/oom_score_adj is still its own; security_prepare then
 * finds it set).  Part of security_prepare otherwise. */
int security_set_oom_score_adj(const struct spec_process *p, herr_t *err);
int security_prepare(const struct spec_process *p, herr_t *err);
int security_finish_caps(const struct spec_process *p, herr_t *err);
int security_set_lsm_labels(const struct spec_process *p, herr_t *err);
int security_set_no_new_privs(herr_t *err);
/* linux.personality: personality(2) with the domain and flags. */
int security_set_personality(const struct spec_personality *pers, herr_t *err);

/* execCPUAffinity (for `hutch exec`; the spec says it does not apply to the
 * init): sched_setaffinity(pid, cpus) where cpus is "0-3,7"; `field` names
 * the config field in errors ("process.execCPUAffinity.final"). */
int security_set_cpu_affinity(pid_t pid, const char *cpus, const char *field, herr_t *err);

/* ---- seccomp ---------------------------------------------------------- */

/* A compiled filter: the BPF program plus the seccomp(2) flags to load it with. */
struct seccomp_bpf;
int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_bpf **out, herr_t *err);
/* True when the build's libseccomp knows the architecture ("SCMP_ARCH_X86_64"). */
bool seccomp_arch_supported(const char *name);
void seccomp_bpf_free(struct seccomp_bpf *bpf);
/* Load a compiled filter into the calling thread.  *notify_fd receives the
 * listener fd when a rule uses SCMP_ACT_NOTIFY (else -1).  Needs no_new_privs
 * or CAP_SYS_ADMIN. */
int seccomp_bpf_load(const struct seccomp_bpf *bpf, int *notify_fd, herr_t *err);
/* seccomp_compile through a cache of compiled programs in
 * <root_fd>/.seccomp~cache (made when missing; root_fd -1: no cache):
 * libseccomp takes ~25 ms for a profile like podman's default one, reading
 * the cached program ~50 us.  An entry holds the whole description of what
 * was compiled (the profile, libseccomp, the hutch binary) and is used only
 * when it matches exactly and is a regular file of our euid that nobody else
 * can write, opened without following links (anything else is dropped); any
 * cache problem falls back to compiling. */
int seccomp_compile_cached(const struct spec_seccomp *sc, int root_fd, struct seccomp_bpf **out,
                           herr_t *err);
/* The cache's directory under --root: not a valid container ID. */
#define SECCOMP_CACHE_DIR ".seccomp~cache"
/* Compile and load (seccomp_compile + seccomp_bpf_load). */
int seccomp_install(const struct spec_seccomp *sc, int *notify_fd, herr_t *err);
/* True when some rule uses SCMP_ACT_NOTIFY (a notify fd will come back). */
bool seccomp_uses_notify(const struct spec_seccomp *sc);
/* In the runtime (parent): send notify_fd to linux.seccomp.listenerPath with
 * the container process state (ociVersion, fds ["seccompFd"], pid, metadata,
 * state), as the runtime-spec says.  state_json is the OCI state document. */
int seccomp_send_to_listener(const struct spec_seccomp *sc, int notify_fd, const char *state_json,
                             herr_t *err);

#endif
