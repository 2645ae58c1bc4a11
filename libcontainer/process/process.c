/* The user process: cwd, executable lookup, rlimits, user, env, fds, exec. */
#include "libcontainer/process/process.h"

#include "libcontainer/process/hooks.h"
#include "libcontainer/process/mempolicy.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/process/sync.h"
#include "libcontainer/security/security.h"
#include "libcontainer/utils/fileio.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_get(const struct spec_process *p, const char *key)
{
  size_t kl = strlen(key);
  const char *found = NULL;
  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp(p->env[i], key, kl) == 0 && p->env[i][kl] == '=')
      found = p->env[i] + kl + 1; /* the last one wins, as execve's user would see */
  return found;
}

static bool is_executable(const char *path, int *why)
{
  struct stat st;
  if (stat(path, &st) < 0) {
    *why = errno;
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    *why = EISDIR;
    return false;
  }
  if (!(st.st_mode & 0111)) {
    *why = EACCES;
    return false;
  }
  return true;
}

int process_prepare(const struct spec_process *p, bool make_cwd, char **exe, herr_t *err)
{
  const char *cwd = p->cwd && *p->cwd ? p->cwd : "/";
  if (make_cwd && mkdir_p(cwd, 0755, err) < 0)
    return herr_wrap(err, "process.cwd");
  if (chdir(cwd) < 0)
    return herr_sys(err, "process.cwd: chdir %s", cwd);
  if (security_check_cwd(err) < 0)
    return -1;
  const char *name = p->args[0];
  int why = 0;
  if (strchr(name, '/')) {
    if (!is_executable(name, &why))
      return herr_errno(err, why, "exec: \"%s\": stat %s", name, name);
    *exe = xstrdup(name);
    return 0;
  }
  const char *path = env_get(p, "PATH");
  if (!path)
    path = DEFAULT_PATH;
  _cleanup_free_ char *dirs = xstrdup(path);
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *cand = xasprintf("%s/%s", *d ? d : ".", name);
    if (is_executable(cand, &why)) {
      *exe = steal_pointer(&cand);
      return 0;
    }
  }
  return herr_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

void close_fds_except(int from, const int *keep, size_t n)
{
  /* Sort the kept fds >= from and close the gaps between them. */
  int k[64];
  size_t m = 0;
  for (size_t i = 0; i < n && m < 64; i++)
    if (keep[i] >= from)
      k[m++] = keep[i];
  for (size_t i = 1; i < m; i++)
    for (size_t j = i; j > 0 && k[j - 1] > k[j]; j--) {
      int t = k[j];
      k[j] = k[j - 1];
      k[j - 1] = t;
    }
  unsigned lo = (unsigned)from;
  for (size_t i = 0; i < m; i++) {
    if ((unsigned)k[i] > lo)
      close_range(lo, (unsigned)k[i] - 1, 0);
    lo = (unsigned)k[i] + 1;
  }
  close_range(lo, ~0U, 0);
}

static int set_rlimits(const struct spec_process *p, herr_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const struct spec_rlimit *r = &p->rlimits[i];
    struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
    if (setrlimit(r->resource, &rl) < 0)
      return herr_sys(err, "process.rlimits: setrlimit %s (soft %llu, hard %llu)", r->type,
                      (unsigned long long)r->soft, (unsigned long long)r->hard);
  }
  return 0;
}

static bool setgroups_allowed(void)
{
  char buf[16] = "";
  int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return true;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return !(n > 0 && strncmp(buf, "deny", 4) == 0);
}

static int switch_user(const struct spec_user *u, herr_t *err)
{
  if (u->n_additional_gids || setgroups_allowed()) {
    gid_t *g = xcalloc(u->n_additional_gids ? u->n_additional_gids : 1, sizeof(gid_t));
    for (size_t i = 0; i < u->n_additional_gids; i++)
      g[i] = u->additional_gids[i];
    int r = setgroups(u->n_additional_gids, g);
    free(g);
    if (r < 0)
      return herr_sys(err, "process.user.additionalGids: setgroups");
  }
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return herr_sys(err, "process.user.gid: setgid %u", u->gid);
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return herr_sys(err, "process.user.uid: setuid %u", u->uid);
  return 0;
}

/* Give the user it runs as what was given to the process, so that it can
 * reopen /dev/stdout or /dev/pts/N:
 *  - process.terminal: the pty hutch allocated; only its uid changes, the
 *    group stays devpts' (gid=5, tty), as runc gives uid:5;
 *  - the caller handed its stdio over (create, run -d, exec -d): its pipes,
 *    FIFOs and sockets, uid only, as runc; never a terminal of the caller
 *    (stricter than runc: a terminal left to the user outlives the
 *    container), never regular files or other devices;
 *  - in the foreground only the stdio relay's pipes (hutch's own, made for
 *    the caller's fds the user could not reopen, stdio_relay.h): the
 *    caller's fds stay the caller's.
 * Anything the kernel will not let us chown (unmapped owner, read-only
 * /dev) is left alone. */
static int fix_stdio_owner(const struct process_desc *d, herr_t *err)
{
  const struct spec_process *p = d->proc;
  if (!p->terminal && !d->stdio_given && !d->stdio)
    return 0;
  for (int fd = 0; fd <= 2; fd++) {
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid == p->user.uid)
      continue;
    bool tty = S_ISCHR(st.st_mode) && isatty(fd);
    if (p->terminal      ? !tty
        : d->stdio_given ? !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)
                         : !d->stdio || d->stdio[fd] < 0)
      continue;
    if (fchown(fd, p->user.uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM &&
        errno != EROFS)
      return herr_sys(err, "chown stdio fd %d to uid %u", fd, p->user.uid);
  }
  return 0;
}

/* HOME from the container's /etc/passwd, "/" when not found (as runc). */
static char *home_of(uid_t uid)
{
  FILE *f = fopen("/etc/passwd", "re");
  char *home = NULL;
  if (f) {
    char line[1024];
    while (!home && fgets(line, sizeof(line), f)) {
      char *fields[7] = {0};
      char *p = line;
      int n = 0;
      for (char *tok = strsep(&p, ":"); tok && n < 7; tok = strsep(&p, ":"))
        fields[n++] = tok;
      if (n >= 6 && *fields[2] && strtoul(fields[2], NULL, 10) == uid)
        home = xstrdup(fields[5]);
    }
    fclose(f);
  }
  return home ? home : xstrdup("/");
}

static char **build_env(const struct process_desc *d)
{
  const struct spec_process *p = d->proc;
  size_t n = 0;
  char **envp = xcalloc(p->n_env + 4, sizeof(char *));
  for (size_t i = 0; i < p->n_env; i++)
    envp[n++] = p->env[i];
  if (!env_get(p, "HOME")) {
    char *home = home_of(p->user.uid);
    envp[n++] = xasprintf("HOME=%s", home);
    free(home);
  }
  if (d->listen_fds > 0) {
    envp[n++] = xasprintf("LISTEN_FDS=%d", d->listen_fds);
    envp[n++] = xasprintf("LISTEN_PID=%d", (int)getpid());
  }
  envp[n] = NULL;
  return envp;
}

void process_desc_init(struct process_desc *d, const struct spec *spec,
                       const struct spec_process *proc, const struct seccomp_bpf *seccomp)
{
  const struct spec_linux *l = spec && spec->has_linux ? &spec->linux_ : NULL;
  *d = (struct process_desc){
      .proc = proc,
      .personality = l && l->has_personality ? &l->personality : NULL,
      .memory_policy = l && l->has_memory_policy ? &l->memory_policy : NULL,
      .seccomp = seccomp,
  };
}

int process_load_notify_seccomp(struct process_desc *d, int sync_fd, herr_t *err)
{
  if (d->proc->no_new_privileges && security_set_no_new_privs(err) < 0)
    return -1;
  int notify_fd = -1;
  if (seccomp_bpf_load(d->seccomp, &notify_fd, err) < 0)
    return -1;
  d->seccomp_loaded = true;
  if (notify_fd < 0)
    return 0;
  int r = sync_send_fd(sync_fd, SYNC_SECCOMP, notify_fd);
  close(notify_fd);
  if (r < 0)
    return herr_sys(err, "seccomp: send the notify fd to hutch");
  return sync_expect(sync_fd, SYNC_SECCOMP_ACK, NULL, "seccomp listener", err);
}

static int load_seccomp(const struct process_desc *d, herr_t *err)
{
  int notify_fd = -1;
  if (seccomp_bpf_load(d->seccomp, &notify_fd, err) < 0)
    return -1;
  if (notify_fd >= 0)
    close(notify_fd); /* not reached: notify filters are loaded before the start */
  return 0;
}

int process_exec(const struct process_desc *d, const char *exe, herr_t *err)
{
  const struct spec_process *p = d->proc;
  bool nnp = p->no_new_privileges;
  if (set_rlimits(p, err) < 0)
    return -1;
  /* Only 0, 1, 2 and the preserved fds reach the process. */
  for (int fd = 3; fd < 3 + d->n_preserved; fd++)
    fcntl(fd, F_SETFD, 0);
  if (security_cloexec_fds(3 + d->n_preserved, NULL, 0, err) < 0)
    return -1;
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the user switch. */
  bool load = d->seccomp && !d->seccomp_loaded;
  if (load && !nnp && load_seccomp(d, err) < 0)
    return -1;
  if (security_prepare(p, err) < 0)
    return -1;
  if (d->personality && security_set_personality(d->personality, err) < 0)
    return -1;
  if (d->memory_policy && mempolicy_apply(d->memory_policy, err) < 0)
    return -1;
  if (fix_stdio_owner(d, err) < 0)
    return -1;
  if (switch_user(&p->user, err) < 0)
    return -1;
  if (security_finish_caps(p, err) < 0)
    return -1;
  umask(p->user.has_umask ? (mode_t)p->user.umask : 022);
  char **envp = build_env(d);
  if (security_set_lsm_labels(p, err) < 0)
    return -1;
  if (nnp && !d->seccomp_loaded && security_set_no_new_privs(err) < 0)
    return -1;
  if (load && nnp && load_seccomp(d, err) < 0)
    return -1;
  if (d->start_hooks &&
      hooks_run(d->start_hooks, SPEC_HOOK_START_CONTAINER, d->start_state, err) < 0)
    return -1;
  execve(exe, p->args, envp);
  return herr_sys(err, "exec %s", exe);
}
