/* A cache of compiled seccomp programs (see seccomp_compile_cached in
 * security.h).  One file per profile in <root>/.seccomp~cache (a name no
 * container ID can have), named by a 64-bit FNV-1a hash of its key:
 *   "HUTCHBPF1\n" u32 key_len, key, u32 flags, u32 n_insns, insns
 * The key spells out everything the compiled program depends on; a hash
 * collision or a stale entry just misses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "spec/base/log.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"
#include "version.h"

#define CACHE_MAGIC "HUTCHBPF1\n"
#define CACHE_MAX_ENTRIES 64

struct buf {
  char *p;
  size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void buf_add(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (n < 0)
    abort();
  if (b->len + (size_t)n + 1 > b->cap) {
    b->cap = (b->len + (size_t)n + 1) * 2;
    b->p = xrealloc(b->p, b->cap);
  }
  memcpy(b->p + b->len, s, (size_t)n + 1);
  b->len += (size_t)n;
  free(s);
}

/* Strings length-prefixed, so that no content can fake a separator. */
static void buf_str(struct buf *b, const char *s)
{
  if (!s)
    buf_add(b, "- ");
  else
    buf_add(b, "%zu:%s ", strlen(s), s);
}

static char *cache_key(const struct spec_seccomp *sc)
{
  struct buf b = {0};
  const struct scmp_version *v = seccomp_version();
  struct stat exe = {0};
  stat("/proc/self/exe", &exe);
  struct utsname u = {0};
  uname(&u);
  buf_add(&b, "hutch %s exe %lld.%ld %lld libseccomp %u.%u.%u api %u native %u kernel %s\n",
          HUTCH_COMMIT, (long long)exe.st_mtim.tv_sec, exe.st_mtim.tv_nsec, (long long)exe.st_size,
          v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0, seccomp_api_get(),
          seccomp_arch_native(), u.release);
  buf_str(&b, sc->default_action);
  buf_add(&b, "%d %u\n", sc->has_default_errno_ret, sc->default_errno_ret);
  for (size_t i = 0; i < sc->n_architectures; i++)
    buf_str(&b, sc->architectures[i]);
  buf_add(&b, "\n");
  for (size_t i = 0; i < sc->n_flags; i++)
    buf_str(&b, sc->flags[i]);
  buf_add(&b, "\n");
  for (size_t i = 0; i < sc->n_syscalls; i++) {
    const struct spec_seccomp_syscall *s = &sc->syscalls[i];
    buf_str(&b, s->action);
    buf_add(&b, "%d %u %zu ", s->has_errno_ret, s->errno_ret, s->n_names);
    for (size_t k = 0; k < s->n_names; k++)
      buf_str(&b, s->names[k]);
    buf_add(&b, "%zu ", s->n_args);
    for (size_t k = 0; k < s->n_args; k++) {
      const struct spec_seccomp_arg *a = &s->args[k];
      buf_add(&b, "%u %llu %d %llu ", a->index, (unsigned long long)a->value, a->has_value_two,
              (unsigned long long)a->value_two);
      buf_str(&b, a->op);
    }
    buf_add(&b, "\n");
  }
  return b.p;
}

static uint64_t fnv1a(const char *s, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint32_t get_u32(const char *p)
{
  uint32_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* Ours: a directory or regular file owned by our euid that nobody else
 * can write.  Anything else in the cache is someone else's plant. */
static bool ours(int fd, mode_t type)
{
  struct stat st;
  return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == geteuid() &&
         !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* 0: hit (*out set), -1: miss.  An entry that is not ours (a link, a fifo,
 * another uid's file) is dropped. */
static int cache_load(int dir, const char *name, const char *key, size_t key_len,
                      struct seccomp_bpf **out)
{
  _cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    return -1;
  if (fd < 0 || !ours(fd, S_IFREG)) {
    hlog_debug("seccomp cache: dropping %s/%s: not a regular file of ours", SECCOMP_CACHE_DIR,
               name);
    unlinkat(dir, name, 0);
    return -1;
  }
  _cleanup_free_ char *data = NULL;
  ssize_t got = read_all_fd(fd, &data);
  if (got < 0)
    return -1;
  size_t len = (size_t)got;
  size_t m = strlen(CACHE_MAGIC), off = m + 4;
  if (len < off || memcmp(data, CACHE_MAGIC, m) != 0 || get_u32(data + m) != key_len ||
      len < off + key_len + 8 || memcmp(data + off, key, key_len) != 0)
    return -1;
  off += key_len;
  uint32_t flags = get_u32(data + off), n = get_u32(data + off + 4);
  off += 8;
  if (n == 0 || n > BPF_MAXINSNS || len != off + n * sizeof(struct sock_filter))
    return -1;
  struct seccomp_bpf *bpf = xcalloc(1, sizeof(*bpf));
  bpf->insns = xmalloc(n * sizeof(struct sock_filter));
  memcpy(bpf->insns, data + off, n * sizeof(struct sock_filter));
  bpf->n_insns = (unsigned short)n;
  bpf->flags = flags;
  *out = bpf;
  return 0;
}

/* Keep the cache bounded: past CACHE_MAX_ENTRIES files, start over. */
static void cache_trim(int dir)
{
  int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close(fd);
    return;
  }
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)))
    n += de->d_name[0] != '.';
  if (n >= CACHE_MAX_ENTRIES) {
    rewinddir(d);
    while ((de = readdir(d)))
      if (de->d_name[0] != '.')
        unlinkat(dirfd(d), de->d_name, 0);
  }
  closedir(d);
}

static void cache_store(int dir, const char *name, const char *key, size_t key_len,
                        const struct seccomp_bpf *bpf)
{
  cache_trim(dir);
  size_t m = strlen(CACHE_MAGIC), insns = bpf->n_insns * sizeof(struct sock_filter);
  size_t len = m + 4 + key_len + 8 + insns;
  _cleanup_free_ char *data = xmalloc(len);
  uint32_t kl = (uint32_t)key_len, flags = bpf->flags, n = bpf->n_insns;
  char *p = data;
  memcpy(p, CACHE_MAGIC, m);
  p += m;
  memcpy(p, &kl, 4);
  p += 4;
  memcpy(p, key, key_len);
  p += key_len;
  memcpy(p, &flags, 4);
  memcpy(p + 4, &n, 4);
  p += 8;
  memcpy(p, bpf->insns, insns);
  herr_t e = NULL;
  if (write_file_atomic_nofollow(dir, name, data, len, 0600, &e) < 0)
    hlog_debug("seccomp cache: %s", e->msg);
  herr_free(&e);
}

/* <root>/.seccomp~cache, made when missing; -1 when it is not ours (then
 * there is no cache: compiling is only slower). */
static int cache_open(int root_fd)
{
  int fd = openat(root_fd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && mkdirat(root_fd, SECCOMP_CACHE_DIR, 0700) == 0)
    fd = openat(root_fd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && !ours(fd, S_IFDIR)) {
    hlog_warn("seccomp cache: %s is not a directory of uid %u that only it can write: not used",
              SECCOMP_CACHE_DIR, (unsigned)geteuid());
    close(fd);
    return -1;
  }
  return fd;
}

int seccomp_compile_cached(const struct spec_seccomp *sc, int root_fd, struct seccomp_bpf **out,
                           herr_t *err)
{
  _cleanup_close_ int dir = root_fd >= 0 ? cache_open(root_fd) : -1;
  if (dir < 0)
    return seccomp_compile(sc, out, err);
  /* Validation errors come from seccomp_compile: no cache entry is valid
   * for an invalid profile, since none could have been written. */
  _cleanup_free_ char *key = cache_key(sc);
  size_t key_len = strlen(key);
  char name[32];
  snprintf(name, sizeof(name), "%016llx", (unsigned long long)fnv1a(key, key_len));
  if (cache_load(dir, name, key, key_len, out) == 0)
    return 0;
  if (seccomp_compile(sc, out, err) < 0)
    return -1;
  cache_store(dir, name, key, key_len, *out);
  return 0;
}
