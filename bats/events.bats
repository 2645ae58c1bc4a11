#!/usr/bin/env bats
# events: --stats once, --interval streaming, OOM notifications.

load helpers
load cgroup_helpers

@test "events --stats prints one stats document in runc's shape" {
  id=$(cid)
  run_sleeping "$id"
  run hutch events --stats "$id"
  assert_success
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  echo "$output" | jq -e --arg id "$id" '.type == "stats" and .id == $id' >/dev/null
  echo "$output" | jq -e '.data.pids.current >= 1' >/dev/null
  echo "$output" | jq -e '.data.memory.usage.usage > 0' >/dev/null
  echo "$output" | jq -e '.data.cpu.usage.total > 0' >/dev/null
  echo "$output" | jq -e '.data | has("blkio") and has("hugetlb")' >/dev/null
}

@test "events --stats reports the pids limit" {
  cg_has pids || skip "no pids controller"
  update_config '.linux.resources.pids = {"limit": 77}'
  id=$(cid)
  run_sleeping "$id"
  run hutch events --stats "$id"
  assert_success
  echo "$output" | jq -e '.data.pids.limit == 77' >/dev/null
}

@test "events --interval streams stats lines" {
  id=$(cid)
  run_sleeping "$id"
  run bash -c "timeout 10 $HUTCH --root $ROOT events --interval 100ms $id | head -n 3"
  [ "$(printf '%s\n' "$output" | grep -c '"type":"stats"')" -eq 3 ]
}

@test "events stops when the container stops, and reports an OOM kill" {
  cg_has memory || skip "no memory controller"
  update_config '.linux.resources.memory = {"limit": 16777216}'
  set_args sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
  id=$(cid)
  hutch create --bundle "$BUNDLE" "$id"
  hutch events --interval 1h "$id" >"$BATS_TEST_TMPDIR/events.out" &
  ev=$!
  # events prints the first stats line at once: then it is watching.
  for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/events.out" ] && break; sleep 0.1; done
  hutch start "$id"
  wait "$ev"
  run cat "$BATS_TEST_TMPDIR/events.out"
  assert_line --partial '"type":"stats"'
  assert_line "{\"type\":\"oom\",\"id\":\"$id\"}"
}

@test "events on a missing or stopped container is an error" {
  run hutch events --stats nosuch-hutch-test
  assert_one_line_error
  assert_output --partial "container nosuch-hutch-test does not exist"
  set_args /bin/true
  id=$(cid)
  hutch run --keep --bundle "$BUNDLE" "$id" || true
  run hutch events --stats "$id"
  assert_one_line_error
  assert_output --partial "not running"
  run hutch events --interval soon "$id"
  assert_one_line_error
  assert_output --partial '--interval: "soon" is not a duration'
}
