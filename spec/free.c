/* Releasing the config model.  Every function accepts partially filled
 * structs (the parser frees what it built so far on error). */
#include <stdlib.h>

#include "spec/internal.h"

void spec_strv_free(char **v, size_t n)
{
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void spec_kv_free(struct spec_kv *kv, size_t n)
{
  if (kv == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

void spec_process_clear(struct spec_process *p)
{
  if (p == NULL)
    return;
  free(p->user.additional_gids);
  free(p->user.username);
  spec_strv_free(p->args, p->n_args);
  free(p->command_line);
  spec_strv_free(p->env, p->n_env);
  free(p->cwd);
  struct spec_capabilities *c = &p->capabilities;
  spec_strv_free(c->bounding, c->n_bounding);
  spec_strv_free(c->effective, c->n_effective);
  spec_strv_free(c->inheritable, c->n_inheritable);
  spec_strv_free(c->permitted, c->n_permitted);
  spec_strv_free(c->ambient, c->n_ambient);
  for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
    free(p->rlimits[i].type);
  free(p->rlimits);
  free(p->apparmor_profile);
  free(p->selinux_label);
  free(p->scheduler.policy);
  spec_strv_free(p->scheduler.flags, p->scheduler.n_flags);
  free(p->io_priority.klass);
  free(p->exec_cpu_affinity_initial);
  free(p->exec_cpu_affinity_final);
  *p = (struct spec_process){0};
}

void spec_process_free(struct spec_process *p)
{
  if (p == NULL)
    return;
  spec_process_clear(p);
  free(p);
}

void spec_resources_clear(struct spec_resources *r)
{
  for (size_t i = 0; r->devices && i < r->n_devices; i++)
    free(r->devices[i].access);
  free(r->devices);
  free(r->cpu.cpus);
  free(r->cpu.mems);
  struct spec_block_io *b = &r->block_io;
  free(b->weight_device);
  free(b->throttle_read_bps);
  free(b->throttle_write_bps);
  free(b->throttle_read_iops);
  free(b->throttle_write_iops);
  for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
    free(r->hugepage_limits[i].page_size);
  free(r->hugepage_limits);
  for (size_t i = 0; r->network.priorities && i < r->network.n_priorities; i++)
    free(r->network.priorities[i].name);
  free(r->network.priorities);
  for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
    free(r->rdma[i].device);
  free(r->rdma);
  spec_kv_free(r->unified, r->n_unified);
  *r = (struct spec_resources){0};
}

void spec_seccomp_clear(struct spec_seccomp *s)
{
  free(s->default_action);
  spec_strv_free(s->architectures, s->n_architectures);
  spec_strv_free(s->flags, s->n_flags);
  free(s->listener_path);
  free(s->listener_metadata);
  for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
    struct spec_seccomp_syscall *sc = &s->syscalls[i];
    spec_strv_free(sc->names, sc->n_names);
    free(sc->action);
    for (size_t j = 0; sc->args && j < sc->n_args; j++)
      free(sc->args[j].op);
    free(sc->args);
  }
  free(s->syscalls);
  *s = (struct spec_seccomp){0};
}

void spec_linux_clear(struct spec_linux *l)
{
  for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
    free(l->namespaces[i].path);
  free(l->namespaces);
  free(l->uid_mappings);
  free(l->gid_mappings);
  for (size_t i = 0; l->time_offsets && i < l->n_time_offsets; i++)
    free(l->time_offsets[i].clock);
  free(l->time_offsets);
  for (size_t i = 0; l->devices && i < l->n_devices; i++)
    free(l->devices[i].path);
  free(l->devices);
  for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
    free(l->net_devices[i].host_name);
    free(l->net_devices[i].name);
  }
  free(l->net_devices);
  free(l->cgroups_path);
  spec_resources_clear(&l->resources);
  struct spec_intel_rdt *rdt = &l->intel_rdt;
  free(rdt->clos_id);
  free(rdt->l3_cache_schema);
  free(rdt->mem_bw_schema);
  spec_strv_free(rdt->schemata, rdt->n_schemata);
  spec_kv_free(l->sysctl, l->n_sysctl);
  spec_seccomp_clear(&l->seccomp);
  free(l->rootfs_propagation);
  spec_strv_free(l->masked_paths, l->n_masked_paths);
  spec_strv_free(l->readonly_paths, l->n_readonly_paths);
  free(l->mount_label);
  free(l->personality.domain);
  spec_strv_free(l->personality.flags, l->personality.n_flags);
  free(l->memory_policy.mode);
  free(l->memory_policy.nodes);
  spec_strv_free(l->memory_policy.flags, l->memory_policy.n_flags);
  *l = (struct spec_linux){0};
}

static void hook_clear(struct spec_hook *h)
{
  free(h->path);
  spec_strv_free(h->args, h->n_args);
  spec_strv_free(h->env, h->n_env);
}

void spec_free(struct spec *s)
{
  if (s == NULL)
    return;
  free(s->oci_version);
  free(s->root.path);
  for (size_t i = 0; s->mounts && i < s->n_mounts; i++) {
    struct spec_mount *m = &s->mounts[i];
    free(m->destination);
    free(m->source);
    free(m->type);
    spec_strv_free(m->options, m->n_options);
    free(m->uid_mappings);
    free(m->gid_mappings);
  }
  free(s->mounts);
  spec_process_clear(&s->process);
  free(s->hostname);
  free(s->domainname);
  for (int k = 0; k < SPEC_HOOK_KINDS; k++) {
    for (size_t i = 0; s->hooks.hooks[k] && i < s->hooks.n_hooks[k]; i++)
      hook_clear(&s->hooks.hooks[k][i]);
    free(s->hooks.hooks[k]);
  }
  spec_kv_free(s->annotations, s->n_annotations);
  spec_linux_clear(&s->linux_);
  free(s);
}
