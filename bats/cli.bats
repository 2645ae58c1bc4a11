#!/usr/bin/env bats
# The CLI skeleton: version, help, and usage errors.

load helpers

@test "--version prints three lines: version, commit, spec" {
  run "$HUTCH" --version
  assert_success
  assert_equal "${#lines[@]}" 3
  assert_line --index 0 --regexp '^hutch version [0-9]+\.[0-9]+\.[0-9]+$'
  assert_line --index 1 --regexp '^commit: [0-9a-f]{40}|unknown|HEAD$'
  assert_line --index 2 'spec: 1.3.0'
}

@test "help lists every command" {
  run "$HUTCH" help
  assert_success
  for c in create start run state list kill delete exec ps pause resume update events spec features; do
    assert_output --partial "  $c "
  done
}

@test "COMMAND --help shows the command's flags" {
  run "$HUTCH" create --help
  assert_success
  assert_output --partial "--bundle"
  assert_output --partial "--console-socket"
  run "$HUTCH" help kill
  assert_success
  assert_output --partial "--all"
}

@test "an unknown command is a one-line error, exit 1" {
  run "$HUTCH" frobnicate
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'unknown command "frobnicate"'
}

@test "an unknown global flag is a one-line error, exit 1" {
  run "$HUTCH" --frob list
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "unknown global option --frob"
}

@test "an unknown command flag is a one-line error, exit 1" {
  run "$HUTCH" spec --frob
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "unknown option --frob"
}

@test "a bad --log-format is rejected" {
  run "$HUTCH" --log-format xml list
  assert_failure 1
  assert_output --partial "expected text or json"
}

@test "--systemd-cgroup without a reachable bus is one line and leaves nothing" {
  set_args /bin/true
  local cmd
  for cmd in create run; do
    DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/hutch-bus run "$HUTCH" --systemd-cgroup --root "$ROOT" "$cmd" --bundle "$BUNDLE" "$(cid "$cmd")"
    assert_failure 1
    assert_equal "${#lines[@]}" 1
    assert_output --partial "hutch: $cmd $(cid "$cmd"): --systemd-cgroup: cannot connect to the system bus"
    [ -z "$(ls -A "$ROOT")" ] || fail "$cmd left $(ls -A "$ROOT") in the state root"
  done
}

@test "--systemd-cgroup does not change the driver of a container made without it" {
  set_args sleep 100
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  jq -e '.cgroup.driver == "cgroupfs"' "$ROOT/$id/state.json"
  # Later commands take the driver from the state, as runc does.
  run "$HUTCH" --systemd-cgroup --root "$ROOT" pause "$id"
  assert_success
  run "$HUTCH" --systemd-cgroup --root "$ROOT" state "$id"
  assert_success
  assert_output --partial '"status": "paused"'
  run "$HUTCH" --systemd-cgroup --root "$ROOT" delete --force "$id"
  assert_success
  [ ! -e "$ROOT/$id" ]
}

@test "an option without its value says so, exit 1" {
  run "$HUTCH" --root "$ROOT" create --bundle
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "option --bundle needs a value"
  run "$HUTCH" --root "$ROOT" create -b
  assert_failure 1
  assert_output --partial "option -b needs a value"
}

# issue 16 item 12: as runc (urfave/cli reorders flags), options may follow
# the container ID; exec's and ps's arguments after the ID stay the process's.
@test "options after the container ID are accepted, as runc" {
  set_args sleep 1000
  id=$(cid)
  hutch run "$id" -d --bundle "$BUNDLE" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
  run hutch state "$id" --help
  assert_success
  assert_output --partial "usage: hutch state"
  run hutch update "$id" --pids-limit 17
  assert_success
  [ "$(hutch state "$id" | jq -r .status)" = running ]
  # exec's arguments after the ID are the process's, flags included.
  run hutch exec "$id" echo -d --force
  assert_success
  assert_output "-d --force"
  run hutch pause "$id" --bogus
  assert_failure 1
  assert_output --partial "unknown option --bogus"
  run hutch kill "$id" KILL --all
  assert_success
  wait_status "$id" stopped
  run hutch delete "$id" --force
  assert_success
  [ ! -e "$ROOT/$id" ]
}

@test "create accepts its options after the ID" {
  set_args true
  id=$(cid)
  hutch create "$id" --bundle "$BUNDLE" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null
  assert_equal "$(container_status "$id")" created
  hutch delete "$id" --force
}
