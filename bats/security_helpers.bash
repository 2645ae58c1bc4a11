# Shared by bats/security.bats, bats/seccomp.bats and bats/cve-*.bats
# (load helpers first).

# The static test helper (tests/helper/helper.c), built next to hutch.
HELPER=${HUTCH_TEST_HELPER:-$(dirname "$HUTCH")/tests/helper/hutch-test-helper}

# need_helper: copy hutch-test-helper into the bundle's rootfs as /helper.
need_helper() {
  [ -x "$HELPER" ] || fail "hutch-test-helper not built ($HELPER)"
  cp "$HELPER" "$BUNDLE/rootfs/helper"
}

# caps_json NAME...: a JSON array of capability names.
caps_json() {
  printf '%s\n' "$@" | jq -R . | jq -sc .
}

# assert_bad_config ID FIELD: `hutch run` failed with exit 1 and a one-line
# error naming FIELD, and left nothing behind.
assert_bad_config() {
  local id=$1 field=$2
  [ "$status" -eq 1 ] || fail "expected exit 1, got $status: $output"
  [[ "$output" == *"$field"* ]] || fail "error does not name $field: $output"
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "error is not one line: $output"
  assert_no_leftovers "$id"
}

# A seccomp profile allowing everything but the given rules:
# seccomp_allow_but 'RULES_JSON_ARRAY'
seccomp_allow_but() {
  update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": $1}"
}

# The default config lists ambient capabilities without inheritable ones (as
# `runc spec` 1.1 did): hutch warns that it cannot raise them.  Tests that
# compare output line by line drop them first.
eval "_security_orig_setup() $(declare -f setup | tail -n +2)"
setup() {
  _security_orig_setup
  update_config 'del(.process.capabilities.ambient)'
}
