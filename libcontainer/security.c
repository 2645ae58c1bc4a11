/* Placeholder until the security module lands: applies nothing. */
#include "libcontainer/security.h"

int security_prepare(const struct spec_process *p, herr_t *err)
{
  return 0;
}
int security_finish_caps(const struct spec_process *p, herr_t *err)
{
  return 0;
}
int security_set_lsm_labels(const struct spec_process *p, herr_t *err)
{
  return 0;
}
int security_set_no_new_privs(herr_t *err)
{
  return 0;
}
int seccomp_install(const struct spec_seccomp *sc, int *notify_fd, herr_t *err)
{
  *notify_fd = -1;
  return 0;
}
int seccomp_send_to_listener(const struct spec_seccomp *sc, int notify_fd, const char *state_json,
                             herr_t *err)
{
  return 0;
}
