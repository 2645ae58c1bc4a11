#!/usr/bin/env bats
# Hardening found by attacks and side-by-side runs with runc (issue 16,
# items 5-9): the state root, links in it, shared cgroups, exec --cwd and
# bind sources a user namespace cannot read.

load helpers
load security_helpers

# run_detached ID [JQ FILTER]: `run -d` a container whose init sleeps.
run_detached() {
  local id=$1
  set_args sleep 100000
  [ -z "${2:-}" ] || update_config "$2"
  hutch run -d --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/$id.out" 2>&1 </dev/null ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/$id.out")"
}

@test "exec --cwd: a missing directory is an error, not made root-owned (as runc)" {
  local id
  id=$(cid)
  run_detached "$id" '.root.readonly = false'
  run hutch exec --cwd /nosuch/dir "$id" pwd
  [ "$status" -ne 0 ] || fail "exec into a missing --cwd succeeded: $output"
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "error is not one line: $output"
  assert_output --partial "/nosuch/dir"
  assert_output --partial "No such file or directory"
  run hutch exec "$id" test -e /nosuch
  [ "$status" -eq 1 ] || fail "exec --cwd created /nosuch"
  # An existing directory still works.
  run hutch exec --cwd /etc "$id" pwd
  assert_success
  assert_output /etc
}

@test "create still makes a missing process.cwd (as runc)" {
  update_config '.process.cwd = "/made/by/create"'
  set_args pwd
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output /made/by/create
}
