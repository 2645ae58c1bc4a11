#!/usr/bin/env bats
# Bad input: one line naming the problem, exit 1, nothing left behind.

load helpers

# expect_create_error ID TEXT [CREATE ARGS...]: create fails with one line containing TEXT.
expect_create_error() {
  local id=$1 text=$2
  shift 2
  update_config '.process.terminal = false' 2>/dev/null || true
  run hutch create --bundle "$BUNDLE" "$@" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "hutch: create $id: "
  assert_output --partial "$text"
  assert_no_leftovers "$id"
  # No init left either (it would still be called "hutch ... create ... ID").
  run pgrep -f -- "create --bundle $BUNDLE .*$id"
  assert_failure
}

@test "missing bundle" {
  id=$(cid)
  run hutch create --bundle "$BATS_TEST_TMPDIR/nosuch" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "nosuch"
  assert_output --partial "No such file or directory"
  assert_no_leftovers "$id"
}

@test "bundle without config.json" {
  rm "$BUNDLE/config.json"
  expect_create_error "$(cid)" "config.json: No such file or directory"
}

@test "malformed config.json" {
  echo '{"ociVersion": "1.0.2",' >"$BUNDLE/config.json"
  expect_create_error "$(cid)" "config.json: "
}

@test "invalid config: the message names the JSON path" {
  update_config '.linux.namespaces[0].type = "pidd"'
  expect_create_error "$(cid)" 'linux.namespaces[0].type'
}

@test "a config without process.args" {
  update_config '.process.args = []'
  expect_create_error "$(cid)" "process.args"
}

@test "ID already in use: the first container is untouched" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  pid=$(container_pid "$id")
  run hutch create --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output "hutch: create $id: container $id already exists"
  assert_equal "$(container_status "$id")" created
  assert_equal "$(container_pid "$id")" "$pid"
}

@test "rootfs that does not exist" {
  update_config '.root.path = "nosuch-rootfs"'
  expect_create_error "$(cid)" "nosuch-rootfs: No such file or directory"
}

@test "binary missing in the container" {
  set_args nosuch
  expect_create_error "$(cid)" 'exec: "nosuch": executable file not found in $PATH'
}

@test "binary given by a path that does not exist" {
  set_args /bin/nosuch
  expect_create_error "$(cid)" 'exec: "/bin/nosuch": stat /bin/nosuch: No such file or directory'
}

@test "mount source that does not exist" {
  update_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/nonexistent-hutch-src", "options": ["bind"]}]'
  expect_create_error "$(cid)" "/nonexistent-hutch-src"
}

@test "a failing createRuntime hook" {
  update_config '.hooks.createRuntime = [{"path": "/bin/false"}]'
  expect_create_error "$(cid)" "createRuntime hook #0 (/bin/false)"
}

@test "a failing createContainer hook" {
  update_config '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]'
  expect_create_error "$(cid)" "createContainer hook #0 (/bin/sh)"
}

@test "invalid container IDs are refused before touching the disk" {
  for id in "../x" "a/b" "." ".." "a b" "x;y" "$(printf 'a%.0s' $(seq 1025))"; do
    run hutch create --bundle "$BUNDLE" "$id"
    assert_failure 1
    assert_equal "${#lines[@]}" 1
    assert_output --partial "invalid container ID"
  done
  run hutch create --bundle "$BUNDLE" ""
  assert_failure 1
  assert_output --partial "invalid container ID"
  [ -z "$(ls -A "$ROOT")" ]
  [ ! -e "$BATS_TEST_TMPDIR/x" ]
  for cmd in state start kill delete; do
    run hutch "$cmd" "../x"
    assert_failure 1
    assert_output --partial "invalid container ID"
  done
}

@test "hostname without a UTS namespace" {
  update_config '.hostname = "h" | .linux.namespaces |= map(select(.type != "uts"))'
  expect_create_error "$(cid)" "hostname"
}

@test "a user namespace without mappings" {
  update_config '.linux.namespaces += [{"type": "user"}] | del(.linux.uidMappings, .linux.gidMappings)'
  expect_create_error "$(cid)" "uidMappings"
}

@test "a namespace path that does not exist" {
  update_config '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/netns" else . end)'
  expect_create_error "$(cid)" "/nonexistent/netns: No such file or directory"
}

@test "terminal: true without --console-socket: create refuses, run relays a pty" {
  update_config '.process.terminal = true | .process.args = ["sh", "-c", "test -t 0 && echo on-a-tty"] | del(.process.capabilities.ambient)'
  id=$(cid)
  run hutch create --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "--console-socket is needed for a detached container"
  assert_no_leftovers "$id"
  run hutch run --bundle "$BUNDLE" "$id" </dev/null
  assert_success
  assert_output --partial "on-a-tty"
  assert_no_leftovers "$id"
}

@test "--preserve-fds with an fd that is not open" {
  set_args true
  id=$(cid)
  run hutch run --preserve-fds 40 --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial "--preserve-fds: fd"
  assert_no_leftovers "$id"
}

@test "an rlimit the runtime cannot set fails run, naming the rlimit" {
  update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1000000}]'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "RLIMIT_NOFILE"
  assert_no_leftovers "$id"
}

@test "an exec failure after start is reported by start" {
  update_config '.process.terminal = false | .process.args = ["/bin/not-a-program"]'
  printf 'this is not an executable\n' >"$BUNDLE/rootfs/bin/not-a-program"
  chmod +x "$BUNDLE/rootfs/bin/not-a-program"
  id=$(cid)
  create_detached "$id"
  run hutch start "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output "hutch: start $id: exec /bin/not-a-program: Exec format error"
  wait_status "$id" stopped
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}
