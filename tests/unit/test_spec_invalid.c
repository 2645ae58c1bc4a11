/* spec_parse on invalid configs: each file of tests/data/configs/invalid/
 * must fail with exactly the message listed in expected.tsv (so the JSON
 * path and wording are asserted), and must not leak (run under valgrind). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "spec/spec.h"

#define DIR_INVALID TEST_DATA_DIR "/configs/invalid"

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "re");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t cap = 0;
  FILE *m = open_memstream(&buf, &cap);
  char tmp[4096];
  size_t n;
  while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
    fwrite(tmp, 1, n, m);
  fclose(f);
  fclose(m);
  *len = cap;
  return buf;
}

static int n_cases;
static char *listed[512];

static void check_case(const char *file, const char *expected)
{
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", DIR_INVALID, file);
  size_t len = 0;
  char *text = read_file(path, &len);
  CHECK_MSG(text != NULL, file);
  if (!text)
    return;
  struct spec *s = NULL;
  herr_t err = NULL;
  int r = spec_parse(text, len, "config.json", &s, &err);
  CHECK_MSG(r < 0, file);
  CHECK_MSG(s == NULL, file);
  char detail[2048];
  snprintf(detail, sizeof(detail), "%s:\n    expected: %s\n    got:      %s", file, expected,
           err ? err->msg : "(no error)");
  CHECK_MSG(err && strcmp(err->msg, expected) == 0, detail);
  /* One line: no newline in any message. */
  CHECK_MSG(err && strchr(err->msg, '\n') == NULL, file);
  herr_free(&err);
  spec_free(s);
  free(text);
}

static void test_corpus(void)
{
  size_t len;
  char *tsv = read_file(DIR_INVALID "/expected.tsv", &len);
  CHECK(tsv != NULL);
  if (!tsv)
    return;
  char *save = NULL;
  for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#' || line[0] == '\0')
      continue;
    char *tab = strchr(line, '\t');
    CHECK_MSG(tab != NULL, line);
    if (!tab)
      continue;
    *tab = '\0';
    check_case(line, tab + 1);
    if (n_cases < 512)
      listed[n_cases] = strdup(line);
    n_cases++;
  }
  free(tsv);
  CHECK(n_cases >= 50);

  /* Every .json file in the directory has an expected message. */
  DIR *d = opendir(DIR_INVALID);
  CHECK(d != NULL);
  struct dirent *de;
  while (d && (de = readdir(d))) {
    size_t n = strlen(de->d_name);
    if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
      continue;
    bool found = false;
    for (int i = 0; i < n_cases && i < 512 && !found; i++)
      found = strcmp(listed[i], de->d_name) == 0;
    CHECK_MSG(found, de->d_name);
  }
  if (d)
    closedir(d);
  for (int i = 0; i < n_cases && i < 512; i++)
    free(listed[i]);
  printf("%d invalid configs checked\n", n_cases);
}

static void check_process(const char *json, const char *expected)
{
  struct spec_process *p = NULL;
  herr_t err = NULL;
  int r = spec_parse_process(json, strlen(json), "process.json", &p, &err);
  CHECK_MSG(r < 0 && p == NULL, json);
  CHECK_STREQ(err ? err->msg : NULL, expected);
  herr_free(&err);
  spec_process_free(p);
}

/* process.json (exec --process): paths relative to the process object. */
static void test_process_json(void)
{
  check_process("{\"args\": [\"sh\"], \"cwd\": \"tmp\"}",
                "process.json: cwd: must be an absolute path, got \"tmp\"");
  check_process("{\"cwd\": \"/\"}", "process.json: args: missing required field");
  check_process("{\"args\": [], \"cwd\": \"/\"}",
                "process.json: args: must not be empty (the command to run)");
  check_process("{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": \"root\", \"gid\": 0}}",
                "process.json: user.uid: expected an integer");
  check_process("{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": "
                "[\"CAP_KILL\", \"CAP_X\"]}}",
                "process.json: capabilities.bounding[1]: unknown capability \"CAP_X\"");
  check_process("{\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": "
                "\"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}, {\"type\": \"RLIMIT_NOFILE\", "
                "\"soft\": 1, \"hard\": 1}]}",
                "process.json: rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\" (also in "
                "rlimits[0])");
  check_process("{\"args\": [\"sh\"],\n \"cwd\": }", "process.json: line 2, column 9: "
                                                     "unexpected token near '}'");
  check_process("[\"sh\"]", "process.json: expected a JSON object at the top level");
  check_process("{\"args\": [\"sh\"], \"cwd\": \"/\", \"oomScoreAdj\": -1001}",
                "process.json: oomScoreAdj: expected an integer between -1000 and 1000, got "
                "-1001");
}

/* A big unsigned literal where a string is expected is a type error, not
 * a leaked internal tag. */
static void test_big_int_as_string(void)
{
  const char *json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": 18446744073709551615}}";
  struct spec *s = NULL;
  herr_t err = NULL;
  CHECK(spec_parse(json, strlen(json), "config.json", &s, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, "config.json: root.path: expected a string");
  herr_free(&err);
  json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": "
         "[\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 18446744073709551615, \"gid\": 0}}}";
  CHECK(spec_parse(json, strlen(json), "config.json", &s, &err) < 0);
  CHECK_STREQ(err ? err->msg : NULL, "config.json: process.user.uid: expected an integer between "
                                     "0 and 2147483647, got 18446744073709551615");
  herr_free(&err);
  /* Digits inside strings are left alone. */
  json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"18446744073709551615\"}}";
  CHECK(spec_parse(json, strlen(json), "config.json", &s, &err) == 0);
  CHECK_STREQ(s ? s->root.path : NULL, "18446744073709551615");
  spec_free(s);
  herr_free(&err);
}

int main(void)
{
  test_corpus();
  test_process_json();
  test_big_int_as_string();
  return check_done();
}
