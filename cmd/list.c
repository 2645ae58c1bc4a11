/* hutch list [-f table|json] [-q] */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"
#include "libcontainer/utils/fileio.h"

struct row {
  char *cells[6];
};

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The name of uid in /etc/passwd, as runc does (no NSS: hutch is linked
 * statically, and getpwuid would load the NSS modules at run time). */
static char *user_name(uid_t uid)
{
  _cleanup_free_ char *text = NULL;
  herr_t ignored = NULL;
  if (read_file_at(AT_FDCWD, "/etc/passwd", &text, NULL, &ignored) < 0) {
    herr_free(&ignored);
    return NULL;
  }
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    /* name:password:uid:... */
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
      continue;
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(c2 + 1, &end, 10);
    if (errno || end == c2 + 1 || *end != ':' || v != (unsigned long)uid)
      continue;
    return xasprintf("%.*s", (int)(c1 - line), line);
  }
  return NULL;
}

static char *owner_of(int dir_fd)
{
  struct stat st;
  if (fstat(dir_fd, &st) < 0)
    return xstrdup("");
  char *name = user_name(st.st_uid);
  return name ? name : xasprintf("#%u", (unsigned)st.st_uid);
}

int cmd_list(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"format", required_argument, NULL, 'f'},
      {"quiet", no_argument, NULL, 'q'},
      {0, 0, 0, 0},
  };
  const char *format = "table";
  bool quiet = false;
  int c;
  while ((c = cmd_getopt(argc, argv, "f:q", longopts, "list")) != -1) {
    if (c == 'f')
      format = optarg;
    else if (c == 'q')
      quiet = true;
  }
  if (cmd_check_args("list", argc, 0, 0))
    return 1;
  bool json = strcmp(format, "json") == 0;
  if (!json && strcmp(format, "table") != 0)
    return cmd_usage_error("list", "--format: expected table or json, got \"%s\"", format);

  char **names = NULL;
  size_t n = 0;
  DIR *d = opendir(ctx->root);
  if (!d && errno != ENOENT) {
    herr_t err = NULL;
    herr_sys(&err, "open %s", ctx->root);
    return cmd_fail(ctx, &err, "list");
  }
  if (d) {
    struct dirent *de;
    while ((de = readdir(d))) {
      if (de->d_name[0] == '.' || container_validate_id(de->d_name, NULL) < 0)
        continue;
      names = xrealloc(names, (n + 1) * sizeof(*names));
      names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
  }
  if (n)
    qsort(names, n, sizeof(*names), cmp_names);

  json_t *arr = json_array();
  struct row *rows = xcalloc(n + 1, sizeof(*rows));
  size_t nrows = 0;
  static const char *headers[6] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
  for (size_t i = 0; i < n; i++) {
    herr_t err = NULL;
    struct container *ct = NULL;
    if (container_load(ctx->root, names[i], &ct, &err) < 0) {
      /* Not a container (lost+found, a link): not listed, as runc. */
      if (err->errnum != ENOENT)
        hlog_warn("list: %s", err->msg);
      herr_free(&err);
      continue;
    }
    enum container_status s = container_status(ct);
    char *owner = owner_of(ct->dir_fd);
    if (quiet) {
      printf("%s\n", ct->id);
    } else if (json) {
      json_t *o = container_state_object(ct, s);
      json_object_set_new(o, "owner", json_string(owner));
      json_array_append_new(arr, o);
    } else {
      struct row *r = &rows[nrows++];
      r->cells[0] = xstrdup(ct->id);
      r->cells[1] = xasprintf("%d", s == CONTAINER_STOPPED ? 0 : (int)ct->pid);
      r->cells[2] = xstrdup(container_status_name(s));
      r->cells[3] = xstrdup(ct->bundle ? ct->bundle : "");
      r->cells[4] = xstrdup(ct->created ? ct->created : "");
      r->cells[5] = xstrdup(owner);
    }
    free(owner);
    container_free(ct);
  }
  if (!quiet && json) {
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("%s\n", text ? text : "[]");
    free(text);
  } else if (!quiet) {
    /* Like runc's tabwriter: columns at least 12 wide, 3 spaces of padding. */
    size_t w[6];
    for (int k = 0; k < 6; k++) {
      w[k] = strlen(headers[k]);
      for (size_t i = 0; i < nrows; i++)
        if (strlen(rows[i].cells[k]) > w[k])
          w[k] = strlen(rows[i].cells[k]);
      w[k] += 3;
      if (w[k] < 12)
        w[k] = 12;
    }
    for (int k = 0; k < 6; k++)
      printf("%-*s", k < 5 ? (int)w[k] : 0, headers[k]);
    printf("\n");
    for (size_t i = 0; i < nrows; i++) {
      for (int k = 0; k < 6; k++)
        printf("%-*s", k < 5 ? (int)w[k] : 0, rows[i].cells[k]);
      printf("\n");
      for (int k = 0; k < 6; k++)
        free(rows[i].cells[k]);
    }
  }
  json_decref(arr);
  free(rows);
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return 0;
}
