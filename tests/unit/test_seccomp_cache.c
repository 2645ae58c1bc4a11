/* seccomp_compile_cached: a miss compiles and stores, a hit gives the very
 * program seccomp_compile gives, a damaged or foreign entry is ignored, an
 * invalid profile still fails, and no cache dir means plain compiling. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

static char *n_a[] = {"getpgid", "personality"};
static char *n_b[] = {"write"};
static char *archs[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};

static void profile(struct spec_seccomp *sc, struct spec_seccomp_syscall sys[2], const char *act)
{
  memset(sc, 0, sizeof(*sc));
  memset(sys, 0, 2 * sizeof(*sys));
  sc->default_action = "SCMP_ACT_ERRNO";
  sc->architectures = archs;
  sc->n_architectures = 2;
  sys[0].names = n_a;
  sys[0].n_names = 2;
  sys[0].action = (char *)act;
  sys[1].names = n_b;
  sys[1].n_names = 1;
  sys[1].action = "SCMP_ACT_ALLOW";
  sc->syscalls = sys;
  sc->n_syscalls = 2;
}

static bool same(const struct seccomp_bpf *a, const struct seccomp_bpf *b)
{
  return a && b && a->n_insns == b->n_insns && a->flags == b->flags &&
         memcmp(a->insns, b->insns, a->n_insns * sizeof(struct sock_filter)) == 0;
}

/* The only entry of dir, "" when there is none. */
static char *only_entry(const char *dir, int *count)
{
  DIR *d = opendir(dir);
  char *name = xstrdup("");
  *count = 0;
  struct dirent *de;
  while (d && (de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    (*count)++;
    free(name);
    name = xasprintf("%s/%s", dir, de->d_name);
  }
  if (d)
    closedir(d);
  return name;
}

int main(void)
{
  char root[] = "/tmp/hutch-test-seccomp-cache.XXXXXX";
  if (!mkdtemp(root))
    return 1;
  char *dir = xasprintf("%s/%s", root, SECCOMP_CACHE_DIR);
  int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CHECK(root_fd >= 0);
  struct spec_seccomp sc;
  struct spec_seccomp_syscall sys[2];
  profile(&sc, sys, "SCMP_ACT_ALLOW");
  herr_t err = NULL;

  struct seccomp_bpf *ref = NULL, *miss = NULL, *hit = NULL;
  CHECK(seccomp_compile(&sc, &ref, &err) == 0);
  CHECK(seccomp_compile_cached(&sc, root_fd, &miss, &err) == 0);
  CHECK(same(ref, miss));
  int count = 0;
  char *entry = only_entry(dir, &count);
  CHECK(count == 1);
  CHECK(seccomp_compile_cached(&sc, root_fd, &hit, &err) == 0);
  CHECK(same(ref, hit));

  char *data = NULL;
  size_t len = 0;
  CHECK(read_file_at(AT_FDCWD, entry, &data, &len, &err) == 0);
  CHECK(data && len > sizeof(struct sock_filter));

  /* A hit reads the stored program: a changed instruction comes back. */
  if (data) {
    char *alt = xmalloc(len);
    memcpy(alt, data, len);
    alt[len - 1] ^= 0x01; /* the last instruction's k */
    CHECK(write_file_at(AT_FDCWD, entry, alt, len, 1, &err) == 0);
    struct seccomp_bpf *from_file = NULL;
    CHECK(seccomp_compile_cached(&sc, root_fd, &from_file, &err) == 0);
    CHECK(from_file && !same(ref, from_file) && from_file->n_insns == ref->n_insns);
    seccomp_bpf_free(from_file);
    /* The same entry, but not ours: a symlink to it, or another uid's
     * file, is dropped and the profile compiled again. */
    char *planted = xasprintf("%s/planted", root);
    CHECK(write_file_at(AT_FDCWD, planted, alt, len, 1, &err) == 0);
    CHECK(unlink(entry) == 0 && symlink(planted, entry) == 0);
    from_file = NULL;
    CHECK(seccomp_compile_cached(&sc, root_fd, &from_file, &err) == 0);
    CHECK(same(ref, from_file));
    seccomp_bpf_free(from_file);
    struct stat st;
    CHECK(lstat(entry, &st) == 0 && S_ISREG(st.st_mode)); /* rewritten */
    CHECK(unlink(entry) == 0 && write_file_at(AT_FDCWD, entry, alt, len, 1, &err) == 0);
    CHECK(chown(entry, 1000, 1000) == 0);
    from_file = NULL;
    CHECK(seccomp_compile_cached(&sc, root_fd, &from_file, &err) == 0);
    CHECK(same(ref, from_file));
    seccomp_bpf_free(from_file);
    CHECK(lstat(entry, &st) == 0 && st.st_uid == geteuid());
    unlink(planted);
    free(planted);
    free(alt);
  }

  /* A damaged key is a miss (and the entry is rewritten). */
  if (data) {
    char *bad = xmalloc(len);
    memcpy(bad, data, len);
    bad[20] ^= 0x55; /* inside the key */
    CHECK(write_file_at(AT_FDCWD, entry, bad, len, 1, &err) == 0);
    struct seccomp_bpf *again = NULL;
    CHECK(seccomp_compile_cached(&sc, root_fd, &again, &err) == 0);
    CHECK(same(ref, again));
    seccomp_bpf_free(again);
    /* A truncated entry too. */
    CHECK(write_file_at(AT_FDCWD, entry, data, len - 3, 1, &err) == 0);
    CHECK(seccomp_compile_cached(&sc, root_fd, &again, &err) == 0);
    CHECK(same(ref, again));
    seccomp_bpf_free(again);
    free(bad);
  }

  /* Another profile gets its own entry and its own program. */
  struct spec_seccomp sc2;
  struct spec_seccomp_syscall sys2[2];
  profile(&sc2, sys2, "SCMP_ACT_KILL");
  struct seccomp_bpf *ref2 = NULL, *c2 = NULL;
  CHECK(seccomp_compile(&sc2, &ref2, &err) == 0);
  CHECK(seccomp_compile_cached(&sc2, root_fd, &c2, &err) == 0);
  CHECK(same(ref2, c2));
  CHECK(!same(ref, c2));
  free(only_entry(dir, &count));
  CHECK(count == 2);

  /* Invalid profiles fail the same way, cached or not. */
  struct spec_seccomp bad;
  struct spec_seccomp_syscall sysb[2];
  profile(&bad, sysb, "SCMP_ACT_FOO");
  struct seccomp_bpf *b = NULL;
  CHECK(seccomp_compile_cached(&bad, root_fd, &b, &err) < 0 && b == NULL);
  CHECK_CONTAINS(err ? err->msg : NULL, "SCMP_ACT_FOO");
  herr_free(&err);

  /* No cache dir: plain compile. */
  struct seccomp_bpf *plain = NULL;
  CHECK(seccomp_compile_cached(&sc, -1, &plain, &err) == 0);
  CHECK(same(ref, plain));

  seccomp_bpf_free(ref);
  seccomp_bpf_free(miss);
  seccomp_bpf_free(hit);
  seccomp_bpf_free(ref2);
  seccomp_bpf_free(c2);
  seccomp_bpf_free(plain);
  free(data);
  free(entry);
  char *rm = xasprintf("rm -rf %s", root);
  CHECK(system(rm) == 0);
  free(rm);
  free(dir);
  close(root_fd);
  return check_done();
}
