/* `hutch features` says what the build really does: every mount option,
 * seccomp action, operator, flag and architecture it lists is one that the
 * code acting on configs accepts, and the other way round for the lists
 * that come from spec/vocab.h. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "libcontainer/rootfs/mount_options.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/security/security.h"
#include "spec/spec.h"

static json_t *features(void)
{
  const struct spec_features_build b = {.seccomp_arch_supported = seccomp_arch_supported};
  char *text = spec_features_json(&b);
  json_t *f = text ? json_loads(text, 0, NULL) : NULL;
  free(text);
  CHECK(f != NULL);
  return f;
}

/* Each listed mount option is an option, not filesystem data. */
static void test_mount_options(json_t *f)
{
  json_t *opts = json_object_get(f, "mountOptions");
  size_t i;
  json_t *v;
  int n = 0;
  json_array_foreach(opts, i, v)
  {
    char *o[] = {(char *)json_string_value(v)};
    struct spec_mount m = {.destination = "/x", .type = "tmpfs", .options = o, .n_options = 1};
    struct mount_opts mo;
    herr_t err = NULL;
    int r = mount_opts_parse(&m, &mo, &err);
    CHECK_MSG(r == 0 && mo.data == NULL, o[0]);
    mount_opts_clear(&mo);
    herr_free(&err);
    n++;
  }
  CHECK(n > 60);
  /* The extensions hutch applies are reported. */
  const char *ext[] = {"idmap", "ridmap", "tmpcopyup", "rro", "rbind"};
  for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
    int found = 0;
    json_array_foreach(opts, i, v) found |= strcmp(json_string_value(v), ext[k]) == 0;
    CHECK_MSG(found, ext[k]);
  }
}

static char *n_getpid[] = {"getpid"};

/* A profile using `action`/`flag`/`op`/`arch` compiles. */
static int seccomp_accepts(const char *action, const char *flag, const char *op, const char *arch)
{
  struct spec_seccomp_arg arg = {.index = 0, .value = 1, .op = (char *)op};
  struct spec_seccomp_syscall sys = {
      .names = n_getpid, .n_names = 1, .action = (char *)action, .args = &arg, .n_args = 1};
  char *flags[] = {(char *)flag};
  char *archs[] = {(char *)arch};
  struct spec_seccomp sc = {.default_action = "SCMP_ACT_ALLOW",
                            .syscalls = &sys,
                            .n_syscalls = 1,
                            .flags = flags,
                            .n_flags = flag ? 1 : 0,
                            .architectures = archs,
                            .n_architectures = arch ? 1 : 0,
                            .listener_path = "/run/listener"};
  herr_t err = NULL;
  struct seccomp_bpf *bpf = NULL;
  int r = seccomp_validate(&sc, &err) == 0 ? seccomp_compile(&sc, &bpf, &err) : -1;
  if (r < 0)
    fprintf(stderr, "  %s\n", err ? err->msg : "?");
  seccomp_bpf_free(bpf);
  herr_free(&err);
  return r;
}

static void test_seccomp(json_t *f)
{
  json_t *sc = json_object_get(json_object_get(f, "linux"), "seccomp");
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(sc, "actions"), i, v) CHECK_MSG(
      seccomp_accepts(json_string_value(v), NULL, "SCMP_CMP_EQ", NULL) == 0, json_string_value(v));
  json_array_foreach(json_object_get(sc, "operators"), i, v)
      CHECK_MSG(seccomp_accepts("SCMP_ACT_ERRNO", NULL, json_string_value(v), NULL) == 0,
                json_string_value(v));
  json_array_foreach(json_object_get(sc, "supportedFlags"), i, v)
      CHECK_MSG(seccomp_accepts("SCMP_ACT_ERRNO", json_string_value(v), "SCMP_CMP_EQ", NULL) == 0,
                json_string_value(v));
  size_t n_archs = 0;
  json_array_foreach(json_object_get(sc, "archs"), i, v)
  {
    CHECK_MSG(seccomp_accepts("SCMP_ACT_ERRNO", NULL, "SCMP_CMP_EQ", json_string_value(v)) == 0,
              json_string_value(v));
    n_archs++;
  }
  CHECK(n_archs >= 3); /* x86_64 here: x86, x86_64, x32 and the other little-endian ones */
  /* An architecture the build's libseccomp cannot resolve is not listed. */
  CHECK(!seccomp_arch_supported("SCMP_ARCH_NO_SUCH"));
  CHECK(seccomp_arch_supported("SCMP_ARCH_X86_64"));
}

int main(void)
{
  json_t *f = features();
  if (f) {
    test_mount_options(f);
    test_seccomp(f);
    json_decref(f);
  }
  return check_done();
}
