#!/usr/bin/env bats
# create, start, run, kill, delete on real containers.

load helpers

@test "run /bin/true exits 0 and leaves nothing behind" {
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_output ""
  assert_no_leftovers "$id"
}

@test "run propagates the exit status" {
  set_args sh -c 'exit 3'
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 3
  assert_no_leftovers "$id"
}

@test "the process is PID 1 of its pid namespace" {
  set_args sh -c 'echo $$'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output "1"
}

@test "hostname and domainname are set in the new UTS namespace" {
  update_config '.hostname = "hutch-box" | .domainname = "example.test"'
  set_args sh -c 'hostname; cat /proc/sys/kernel/domainname'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 "hutch-box"
  assert_line --index 1 "example.test"
  [ "$(hostname)" != "hutch-box" ]
}

@test "the process's stdout reaches the caller" {
  set_args echo hello from the container
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output "hello from the container"
}

@test "create then start: created -> running -> stopped" {
  update_config '.root.readonly = false'
  set_args sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo done'
  id=$(cid)
  create_detached "$id"
  assert_equal "$(container_status "$id")" created
  pid=$(container_pid "$id")
  [ "$pid" -gt 1 ]
  kill -0 "$pid"
  # The init has not exec'ed the process yet: it still runs hutch.
  [ "$(cat /proc/$pid/comm)" = hutch ]
  [ -S "$ROOT/$id/start.sock" ]

  run hutch start "$id"
  assert_success
  [ ! -e "$ROOT/$id/start.sock" ]
  assert_equal "$(container_status "$id")" running
  assert_equal "$(container_pid "$id")" "$pid"

  touch "$BUNDLE/rootfs/tmp/go"
  wait_status "$id" stopped
  assert_equal "$(container_pid "$id")" 0
  run container_output "$id"
  assert_output "done"

  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "start of a container that is not created fails" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  run hutch start "$id"
  assert_success
  run hutch start "$id"
  assert_failure 1
  assert_output --partial "cannot start a container that is not in created state"
  assert_output --partial "running"
  run hutch start "$(cid nosuch)"
  assert_failure 1
  assert_output --partial "does not exist"
}

# After READY the init reports to `start` as it reports to `create`: one
# SYNC_ERROR with the cause, over start's connection to start.sock.
@test "create + start: a failure between start and execve comes back to start as one line" {
  update_config '.root.readonly = false'
  printf '#!/bin/sh\necho ran\n' >"$BUNDLE/rootfs/bin/hutch-prog"
  chmod 755 "$BUNDLE/rootfs/bin/hutch-prog"
  set_args /bin/hutch-prog
  # Found executable at create; no longer at start (startContainer runs in
  # the container's mount namespace).
  update_config '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "cat >/dev/null; chmod 644 /bin/hutch-prog"]}]'
  id=$(cid)
  create_detached "$id" || { container_output "$id"; false; }
  run hutch start "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "exec /bin/hutch-prog: Permission denied"
  wait_status "$id" stopped
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "start.sock: a connection that ends without START neither starts nor kills the container" {
  command -v python3 >/dev/null || skip "python3 not installed"
  set_args echo started
  id=$(cid)
  create_detached "$id"
  [ -S "$ROOT/$id/start.sock" ]
  # Connect, send something that is not START, hang up; then just hang up.
  python3 -c '
import socket, sys
for payload in (b"not a message", None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    if payload:
        s.send(payload)
    s.close()
' "$ROOT/$id/start.sock"
  assert_equal "$(container_status "$id")" created
  run hutch start "$id"
  assert_success
  wait_status "$id" stopped
  run container_output "$id"
  assert_output "started"
}

@test "a --root too long for a socket address: create and start still work" {
  set_args true
  local long="$BATS_TEST_TMPDIR/$(printf 'r%.0s' $(seq 120))"
  mkdir -p "$long"
  id=$(cid)
  "$HUTCH" --root "$long" "${HUTCH_DRIVER_OPTS[@]}" create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
  [ -S "$long/$id/start.sock" ]
  run "$HUTCH" --root "$long" "${HUTCH_DRIVER_OPTS[@]}" start "$id"
  assert_success
  run "$HUTCH" --root "$long" "${HUTCH_DRIVER_OPTS[@]}" delete --force "$id"
  assert_success
  [ ! -e "$long/$id" ]
}

@test "run --detach returns while the container runs" {
  set_args sleep 100
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
  assert_equal "$(container_status "$id")" running
  run hutch delete --force "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "--pid-file is written (relative to the cwd and absolute)" {
  set_args sleep 100
  id=$(cid)
  cd "$BATS_TEST_TMPDIR"
  create_detached "$id" --pid-file rel.pid
  [ "$(cat rel.pid)" = "$(container_pid "$id")" ]
  hutch delete --force "$id"
  hutch run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/abs.pid" "$id" >/dev/null 2>&1 </dev/null
  [ "$(cat "$BATS_TEST_TMPDIR/abs.pid")" = "$(container_pid "$id")" ]
  ! ls "$BATS_TEST_TMPDIR" | grep -q 'pid.tmp' # no temporary file left
}

@test "kill with a signal name, SIG-prefixed name and number" {
  update_config '.root.readonly = false'
  set_args sh -c 'trap "exit 10" USR1; trap "exit 12" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
  id=$(cid)
  for sig in USR1 SIGUSR1 10; do
    rm -f "$BUNDLE/rootfs/tmp/ready"
    hutch run --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null &
    runpid=$!
    wait_file "$BUNDLE/rootfs/tmp/ready"
    hutch kill "$id" "$sig"
    st=0
    wait "$runpid" || st=$?
    assert_equal "$st" 10
  done
  # The default signal is TERM.
  rm -f "$BUNDLE/rootfs/tmp/ready"
  hutch run --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null &
  runpid=$!
  wait_file "$BUNDLE/rootfs/tmp/ready"
  hutch kill "$id"
  st=0
  wait "$runpid" || st=$?
  assert_equal "$st" 12
  assert_no_leftovers "$id"
}

@test "a container killed by SIGKILL: run exits 137" {
  set_args sleep 100
  id=$(cid)
  hutch run --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null &
  runpid=$!
  wait_status "$id" running
  run hutch kill "$id" KILL
  assert_success
  st=0
  wait "$runpid" || st=$?
  assert_equal "$st" 137
  assert_no_leftovers "$id"
}

@test "signals sent to a foreground run reach the container" {
  update_config '.root.readonly = false'
  set_args sh -c 'trap "echo got TERM; exit 42" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
  id=$(cid)
  # $HUTCH itself, not the `hutch` function: $! must be hutch's pid.
  "$HUTCH" --root "$ROOT" "${HUTCH_DRIVER_OPTS[@]}" run --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null &
  runpid=$!
  wait_file "$BUNDLE/rootfs/tmp/ready"
  kill -TERM "$runpid"
  st=0
  wait "$runpid" || st=$?
  assert_equal "$st" 42
  run cat "$BATS_TEST_TMPDIR/out"
  assert_output "got TERM"
  assert_no_leftovers "$id"
}

@test "kill of a stopped container: container not running" {
  set_args true
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  wait_status "$id" stopped
  run hutch kill "$id" KILL
  assert_failure 1
  assert_output --partial "container not running"
  run hutch kill "$(cid nosuch)"
  assert_failure 1
  assert_output --partial "does not exist"
}

@test "kill with signal 0 checks that the container runs (as runc)" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  run hutch kill "$id" 0
  assert_success
  run hutch kill --all "$id" 0
  assert_success
  assert_equal "$(container_status "$id")" running
  hutch kill "$id" KILL
  wait_status "$id" stopped
  run hutch kill "$id" 0
  assert_failure 1
  assert_output --partial "container not running"
}

@test "kill rejects an unknown signal" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  run hutch kill "$id" NOSUCHSIG
  assert_failure 1
  assert_output --partial 'unknown signal "NOSUCHSIG"'
  assert_equal "$(container_status "$id")" created
}

@test "delete of a running container needs --force" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  pid=$(container_pid "$id")
  run hutch delete "$id"
  assert_failure 1
  assert_output --partial "cannot delete container $id that is not stopped: running"
  assert_equal "$(container_status "$id")" running
  run hutch delete --force "$id"
  assert_success
  ! kill -0 "$pid" 2>/dev/null
  assert_no_leftovers "$id"
}

@test "delete of a created container kills its init" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  pid=$(container_pid "$id")
  run hutch delete "$id"
  assert_success
  ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
  assert_no_leftovers "$id"
}

@test "delete of a missing container: error, but not with --force" {
  run hutch delete "$(cid nosuch)"
  assert_failure 1
  assert_output "hutch: delete $(cid nosuch): container $(cid nosuch) does not exist"
  run hutch delete --force "$(cid nosuch)"
  assert_success
  assert_output ""
}

@test "run --keep keeps the stopped container" {
  set_args true
  id=$(cid)
  run hutch run --keep --bundle "$BUNDLE" "$id"
  assert_success
  assert_equal "$(container_status "$id")" stopped
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "two parallel creates of one ID: exactly one wins" {
  set_args sleep 100
  id=$(cid)
  for i in 1 2 3 4; do
    (hutch create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/c$i.out" 2>&1 </dev/null
     echo $? >"$BATS_TEST_TMPDIR/c$i.rc") &
  done
  wait
  wins=0
  for i in 1 2 3 4; do
    if [ "$(cat "$BATS_TEST_TMPDIR/c$i.rc")" = 0 ]; then
      wins=$((wins + 1))
    else
      grep -q "container $id already exists" "$BATS_TEST_TMPDIR/c$i.out"
    fi
  done
  assert_equal "$wins" 1
  assert_equal "$(container_status "$id")" created
  assert_equal "$(hutch list -q)" "$id"
}

@test "the state dir holds the config: the bundle may go away" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  mv "$BUNDLE/config.json" "$BUNDLE/config.json.away"
  run hutch start "$id"
  assert_success
  assert_equal "$(container_status "$id")" running
  run hutch delete --force "$id"
  assert_success
  mv "$BUNDLE/config.json.away" "$BUNDLE/config.json"
}

@test "kill --all signals every process of the container" {
  # No pid namespace: the init's death does not take its children along.
  update_config '.root.readonly = false | .linux.namespaces |= map(select(.type != "pid"))'
  set_args sh -c 'sleep 1000 & echo $! >/tmp/child; wait'
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  wait_file "$BUNDLE/rootfs/tmp/child"
  child=$(cat "$BUNDLE/rootfs/tmp/child")
  kill -0 "$child"
  run hutch kill --all "$id" KILL
  assert_success
  wait_status "$id" stopped
  for i in $(seq 100); do
    kill -0 "$child" 2>/dev/null && [ "$(awk '{print $3}' /proc/$child/stat 2>/dev/null)" != Z ] || break
    sleep 0.1
  done
  ! kill -0 "$child" 2>/dev/null || [ "$(awk '{print $3}' /proc/$child/stat)" = Z ]
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "kill --all still reaches what the init left behind once it has exited (containerd's shim)" {
  update_config '.root.readonly = false | .linux.namespaces |= map(select(.type != "pid"))'
  set_args sh -c 'sleep 1000 & echo $! >/tmp/child'
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  wait_status "$id" stopped
  wait_file "$BUNDLE/rootfs/tmp/child"
  child=$(cat "$BUNDLE/rootfs/tmp/child")
  kill -0 "$child"
  run hutch kill "$id" KILL
  assert_failure 1
  assert_output --partial "container not running"
  run hutch kill --all "$id" KILL
  assert_success
  for i in $(seq 100); do
    kill -0 "$child" 2>/dev/null && [ "$(awk '{print $3}' /proc/$child/stat 2>/dev/null)" != Z ] || break
    sleep 0.1
  done
  ! kill -0 "$child" 2>/dev/null || [ "$(awk '{print $3}' /proc/$child/stat)" = Z ]
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "delete --force kills the processes the init left behind" {
  update_config '.root.readonly = false | .linux.namespaces |= map(select(.type != "pid"))'
  set_args sh -c 'sleep 1000 & echo $! >/tmp/child; wait'
  id=$(cid)
  create_detached "$id"
  hutch start "$id"
  wait_file "$BUNDLE/rootfs/tmp/child"
  child=$(cat "$BUNDLE/rootfs/tmp/child")
  run hutch delete --force "$id"
  assert_success
  ! kill -0 "$child" 2>/dev/null || [ "$(awk '{print $3}' /proc/$child/stat)" = Z ]
  assert_no_leftovers "$id"
}

@test "kill of a created container" {
  set_args sleep 100
  id=$(cid)
  create_detached "$id"
  run hutch kill "$id" KILL
  assert_success
  wait_status "$id" stopped
  run hutch start "$id"
  assert_failure 1
  assert_output --partial "not in created state (it is stopped)"
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "without pidfds (pidfd_open fails with ENOSYS) start, kill and delete --force still work" {
  # As on Linux < 5.3, in an older seccomp sandbox or under valgrind.
  command -v strace >/dev/null || skip "strace not installed"
  # (An ASan build's LeakSanitizer cannot run under ptrace: off there.)
  nopidfd() {
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
      strace -f -qq -o /dev/null -e trace=pidfd_open -e inject=pidfd_open:error=ENOSYS \
      "$HUTCH" --root "$ROOT" "${HUTCH_DRIVER_OPTS[@]}" "$@"
  }
  set_args sleep 1000
  id=$(cid)
  create_detached "$id"
  run nopidfd start "$id"
  assert_success
  assert_equal "$(container_status "$id")" running
  run nopidfd kill "$id" CONT
  assert_success
  assert_equal "$(container_status "$id")" running
  run nopidfd delete --force "$id"
  assert_success
  assert_no_leftovers "$id"
  run nopidfd kill "$id" KILL
  assert_failure 1
  # A created container whose init died: start says so instead of waiting.
  id=$(cid)
  create_detached "$id"
  kill -9 "$(container_pid "$id")"
  wait_status "$id" stopped
  run nopidfd start "$id"
  assert_failure 1
  assert_output --partial "not in created state (it is stopped)"
  hutch delete "$id"
  assert_no_leftovers "$id"
}

# issue 16 item 18: the kernel refuses keyring names starting with '.'; the
# session keyring is named "_ses.ID" as runc names it.
@test "an ID starting with a dot runs (session keyring _ses.ID, as runc)" {
  update_config '.linux.maskedPaths -= ["/proc/keys"]'
  set_args sh -c 'echo ok; cat /proc/keys'
  id=".$(cid)"
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_line --index 0 ok
  assert_output --partial "_ses.$id"
  assert_no_leftovers "$id"
}
