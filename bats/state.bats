#!/usr/bin/env bats
# state and list.

load helpers

@test "state prints the OCI state document" {
  set_args sleep 100
  update_config '.annotations = {"org.example.key": "value"}'
  id=$(cid)
  create_detached "$id"
  run hutch state "$id"
  assert_success
  # Pretty-printed like runc: one key per line, two-space indent.
  assert_line --index 0 "{"
  assert_line --index 1 '  "ociVersion": "1.3.0",'
  assert_line --index 2 "  \"id\": \"$id\","
  echo "$output" | jq -e --arg id "$id" --arg b "$BUNDLE" '
    .id == $id and .status == "created" and .pid > 1 and .bundle == $b and
    .rootfs == ($b + "/rootfs") and .owner == "" and
    .annotations["org.example.key"] == "value"'
  created=$(echo "$output" | jq -r .created)
  [[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$ ]]
}

@test "state of a missing container" {
  run hutch state "$(cid nosuch)"
  assert_failure 1
  assert_output "hutch: state $(cid nosuch): container $(cid nosuch) does not exist"
}

@test "state after the init dies: stopped, pid 0" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  pid=$(container_pid "$id")
  kill -9 "$pid"
  wait_status "$id" stopped
  assert_equal "$(container_pid "$id")" 0
  # The state file still has the pid: the status comes from the process.
  [ "$(jq .pid "$ROOT/$id/state.json")" = "$pid" ]
}

@test "a reused pid is not mistaken for the container" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  hutch delete --force "$id" 2>/dev/null || true
  create_detached "$id"
  # The state will lead nowhere near the real init, so delete (and teardown)
  # could not kill it: kill it now, it plays no part in what is checked.
  local init
  init=$(container_pid "$id")
  kill -9 "$init"
  # Point the state at a live process (this shell) with another start time.
  jq --argjson p $$ '.pid = $p | .pid_start = 1' "$ROOT/$id/state.json" >"$BATS_TEST_TMPDIR/s"
  cp "$BATS_TEST_TMPDIR/s" "$ROOT/$id/state.json"
  assert_equal "$(container_status "$id")" stopped
  assert_equal "$(container_pid "$id")" 0
  run hutch kill "$id" KILL
  assert_failure 1
  assert_output --partial "container not running"
  kill -0 $$ # still alive
}

@test "list: table, json and quiet" {
  set_args sleep 100
  a=$(cid a)
  b=$(cid b)
  create_detached "$a"
  create_detached "$b"
  hutch start "$b"

  run hutch list
  assert_success
  assert_equal "${#lines[@]}" 3
  assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
  assert_line --index 1 --regexp "^$a +[0-9]+ +created +$BUNDLE +[0-9T:.-]+Z +root$"
  assert_line --index 2 --regexp "^$b +[0-9]+ +running +$BUNDLE +[0-9T:.-]+Z +root$"

  run hutch list -q
  assert_success
  assert_output "$a
$b"

  run hutch list --format json
  assert_success
  echo "$output" | jq -e --arg a "$a" --arg b "$b" '
    length == 2 and .[0].id == $a and .[0].status == "created" and
    .[1].id == $b and .[1].status == "running" and .[1].pid > 1'
}

@test "list of an empty or missing root" {
  run hutch list
  assert_success
  assert_output --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
  run "$HUTCH" --root "$BATS_TEST_TMPDIR/nosuch" list --format json
  assert_success
  assert_output "[]"
  run hutch list --format yaml
  assert_failure 1
}

@test "--root is created 0700 when missing" {
  set_args true
  r="$BATS_TEST_TMPDIR/new/root"
  run "$HUTCH" --root "$r" run --bundle "$BUNDLE" "$(cid)"
  assert_success
  [ "$(stat -c %a "$r")" = 700 ]
}
