#!/usr/bin/env bats
# Issue 16 item 2: a user or group id of 4294967295 is (uid_t)-1, which
# setresuid/setresgid read as "no change": the process would stay root.
# Every id above 2147483647 is refused (as runc), in config.json,
# exec --process, exec --user and exec --additional-gids, with one line
# naming the field.

load helpers
load security_helpers

# start_sleeper: run -d a container whose init sleeps; sets $ID.
start_sleeper() {
  set_args sleep 100000
  ID=$(cid)
  hutch run -d --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/$ID.out" 2>&1 </dev/null ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/$ID.out")"
}

# assert_exec_refused TEXT: exec failed (hutch's own failure, not the
# process's), with one line saying TEXT, and ran nothing.
assert_exec_refused() {
  [ "$status" -ne 0 ] || fail "exec succeeded: $output"
  [[ "$output" == *"$1"* ]] || fail "error does not say \"$1\": $output"
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "error is not one line: $output"
  [[ "$output" != *"uid=0"* ]] || fail "the process ran as root: $output"
}

@test "ids: process.user.uid 4294967295 is refused, not run as root" {
  update_config '.process.user = {"uid": 4294967295, "gid": 1000}'
  set_args id
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.user.uid"
  assert_output --partial "2147483647"
}

@test "ids: process.user.gid 4294967295 is refused, not run with gid 0" {
  update_config '.process.user = {"uid": 1000, "gid": 4294967295}'
  set_args id
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.user.gid"
}

@test "ids: additionalGids and id mappings above 2147483647 are refused" {
  update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [4294967295]}'
  set_args id
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.user.additionalGids[0]"
  update_config '.process.user = {"uid": 0, "gid": 0}
                 | .linux.namespaces += [{"type": "user"}]
                 | .linux.uidMappings = [{"containerID": 0, "hostID": 4294967295, "size": 1}]
                 | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_bad_config "$(cid 2)" "linux.uidMappings[0].hostID"
  update_config '.linux.uidMappings = [{"containerID": 2147483648, "hostID": 100000, "size": 1}]'
  run hutch run -b "$BUNDLE" "$(cid 3)"
  assert_bad_config "$(cid 3)" "linux.uidMappings[0].containerID"
}

@test "ids: the largest accepted id, 2147483647, runs as that id" {
  update_config '.process.user = {"uid": 2147483647, "gid": 2147483647}'
  set_args sh -c 'echo $(id -u):$(id -g)'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output "2147483647:2147483647"
}

@test "ids: exec --user and --additional-gids refuse 4294967295" {
  start_sleeper
  run hutch exec --user 4294967295 "$ID" id
  assert_exec_refused "--user uid: 4294967295 is out of range (0-2147483647)"
  run hutch exec -u 1000:4294967295 "$ID" id
  assert_exec_refused "--user gid: 4294967295 is out of range (0-2147483647)"
  run hutch exec -u 1000:1000 --additional-gids 4294967295 "$ID" id
  assert_exec_refused "--additional-gids: 4294967295 is out of range (0-2147483647)"
  # A name whose /etc/passwd entry says 4294967295 is refused too.
  echo 'minus1:x:4294967295:0::/:/bin/sh' >>"$BUNDLE/rootfs/etc/passwd"
  run hutch exec -u minus1 "$ID" id
  assert_exec_refused "out of range (0-2147483647)"
  # The valid forms still work.
  run hutch exec -u 1000:1001 --additional-gids 2147483647 "$ID" id -G
  assert_success
  assert_output "1001 2147483647"
}

@test "ids: exec --process with uid 4294967295 is refused" {
  start_sleeper
  jq '.process | .args = ["id"] | .user = {"uid": 4294967295, "gid": 0}' "$BUNDLE/config.json" \
    >"$BATS_TEST_TMPDIR/process.json"
  run hutch exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
  assert_exec_refused "user.uid"
}
