#!/usr/bin/env bats
# Terminals for `hutch exec`: the pty master sent to --console-socket, and
# `exec -t` in the foreground relaying the caller's terminal.

load helpers

RECVTTY=${RECVTTY:-$(dirname "$HUTCH")/tests/tools/recvtty}

start_container() {
  set_args sleep 100000
  update_config 'del(.process.capabilities.ambient)'
  ID=$(cid)
  hutch run -d --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/$ID.out" 2>&1 </dev/null ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/$ID.out")"
  INIT=$(container_pid "$ID")
}

# start_recvtty [RECVTTY OPTION...]: a receiver on $SOCK (output in $TTY_OUT).
start_recvtty() {
  [ -x "$RECVTTY" ] || fail "recvtty not built ($RECVTTY)"
  SOCKDIR=$(mktemp -d /tmp/hutch-test-tty.XXXXXX)
  SOCK=$SOCKDIR/console.sock
  TTY_OUT=$SOCKDIR/out
  "$RECVTTY" -o "$TTY_OUT" -n "$SOCKDIR/name" "$@" "$SOCK" 3>&- &
  RECVTTY_PID=$!
  wait_socket "$SOCK"
}

extra_teardown() {
  [ -z "${RECVTTY_PID:-}" ] || kill -9 "$RECVTTY_PID" 2>/dev/null || true
  [ -z "${SOCKDIR:-}" ] || rm -rf "$SOCKDIR"
}

# in_script CMD: run CMD (a shell command line) on a fresh pty made by
# util-linux script(1); output (with \r removed) in $output.  script(1)
# forwards the EOF of its /dev/null stdin as ^D, which reaches the
# container's pty and is echoed there as "^@": strip it.
in_script() {
  command -v script >/dev/null || skip "script(1) not installed"
  run script -qec "$1" /dev/null </dev/null
  output=$(printf '%s' "$output" | tr -d '\r' | sed 's/\^@//g')
  mapfile -t lines <<<"$output"
}

@test "exec -t --console-socket --detach: the receiver gets the master (conmon's flow)" {
  start_container
  start_recvtty
  run hutch exec -t --console-socket "$SOCK" --detach --pid-file "$SOCKDIR/pid" "$ID" \
    sh -c 'tty; echo from the pty'
  assert_success
  wait "$RECVTTY_PID"
  RECVTTY_PID=
  assert_equal "$(cat "$SOCKDIR/name")" /dev/ptmx
  run tr -d '\r' <"$TTY_OUT"
  assert_line --index 0 --regexp '^/dev/pts/[0-9]+$'
  assert_line --index 1 "from the pty"
  [ "$(cat "$SOCKDIR/pid")" -gt 1 ]
}

@test "exec --process with terminal: true and consoleSize through the console socket" {
  start_container
  start_recvtty -i $'stty size; exit 5\n'
  cat >"$BATS_TEST_TMPDIR/process.json" <<'EOF'
{"args": ["sh"], "cwd": "/", "terminal": true, "consoleSize": {"height": 31, "width": 97},
 "env": ["PATH=/bin", "PS1="]}
EOF
  # Foreground with a console socket: waits and returns the status.
  run hutch exec --process "$BATS_TEST_TMPDIR/process.json" --console-socket "$SOCK" "$ID"
  assert_failure 5
  wait "$RECVTTY_PID"
  RECVTTY_PID=
  run tr -d '\r' <"$TTY_OUT"
  assert_output --partial "31 97"
}

@test "exec -t relays the caller's terminal: tty, window size, output, status" {
  start_container
  in_script "stty rows 33 cols 101; $HUTCH --root $ROOT exec -t $ID sh -c 'tty; stty size; echo out; exit 4'; echo status=\$?"
  assert_success
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line "33 101"
  assert_line "out"
  assert_line "status=4"
  # The caller's terminal is back in cooked mode afterwards.
  in_script "$HUTCH --root $ROOT exec -t $ID true; stty -a | grep -o -- '-\\?icanon'"
  assert_line "icanon"
}

@test "exec -t: SIGWINCH resizes the container's pty" {
  start_container
  # The process prints its size, says so through /dev/shm (seen from the host
  # through /proc/INIT/root), then waits for the size to change.  Resizing
  # script's terminal sends SIGWINCH to its foreground process group (hutch).
  local marker=/proc/$INIT/root/dev/shm/sized
  in_script "stty rows 10 cols 20; $HUTCH --root $ROOT exec -t $ID sh -c 'stty size; touch /dev/shm/sized; while [ \"\$(stty size)\" = \"10 20\" ]; do sleep 0.05; done; stty size' & for i in \$(seq 400); do [ -e $marker ] && break; sleep 0.05; done; stty rows 44 cols 55; wait"
  assert_line --index 0 "10 20"
  assert_line --index 1 "44 55"
}

@test "exec -t with piped stdin: input reaches the pty, EOF ends it" {
  start_container
  run bash -c "printf 'echo hi there; exit 3\n' | $HUTCH --root $ROOT exec -t $ID sh"
  assert_failure 3
  assert_output --partial "hi there"
  # Input without a final newline, then EOF: cat sees both.
  run bash -c "printf 'partial' | $HUTCH --root $ROOT exec -t $ID cat"
  assert_success
  assert_output --partial "partialpartial"
}

@test "exec -t: bad terminal combinations are refused" {
  start_container
  run hutch exec -t -d "$ID" true
  assert_failure 255 # hutch's own exec failure, as runc
  assert_output --partial "needs --console-socket"
  start_recvtty
  run hutch exec --console-socket "$SOCK" "$ID" true
  assert_failure 255 # hutch's own exec failure, as runc
  assert_output --partial "no terminal"
  run hutch exec -t --console-socket "$SOCKDIR/nosuch.sock" "$ID" true
  assert_failure 255 # hutch's own exec failure, as runc
  assert_output --partial "nosuch.sock"
  assert_equal "$(sort -n /sys/fs/cgroup/pids/$ID/cgroup.procs)" "$INIT"
}

@test "run -t in the foreground relays the terminal: tty, window size, exit status" {
  update_config 'del(.process.capabilities.ambient) | .process.terminal = true'
  set_args sh -c 'tty; stty size; exit 7'
  update_config '.process.terminal = true'
  ID=$(cid)
  in_script "stty rows 33 cols 91; $HUTCH --root $ROOT run --bundle $BUNDLE $ID; echo rc=\$?"
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line "33 91"
  assert_line "rc=7"
  assert_no_leftovers "$ID"
}

@test "run -d with process.terminal and no --console-socket is refused" {
  set_args true
  update_config '.process.terminal = true'
  ID=$(cid)
  run hutch run -d --bundle "$BUNDLE" "$ID"
  assert_failure 1
  assert_output --partial "--console-socket is needed for a detached container"
  assert_no_leftovers "$ID"
}

# issue 16 item 14: as runc, ONLCR is off on exec's pty too.
@test "exec -t: the pty does not turn \\n into \\r\\n (ONLCR off, as runc)" {
  start_container
  start_recvtty
  run hutch exec -t --console-socket "$SOCK" --detach "$ID" printf 'a\nb\n'
  assert_success
  wait "$RECVTTY_PID"
  RECVTTY_PID=
  run od -An -c "$TTY_OUT"
  assert_output --regexp '^ +a +\\n +b +\\n$'
}

# issue 16 item 14: with ONLCR off on the container's pty (as runc), output
# redirected to a file has plain "\n"; on the caller's terminal (which keeps
# its output processing, as runc's) lines still end in "\r\n".
@test "run -t: \\n stays \\n (to a file), the caller's terminal still shows \\r\\n" {
  set_args printf 'a\nb\n'
  update_config 'del(.process.capabilities.ambient) | .process.terminal = true'
  ID=$(cid)
  in_script "$HUTCH --root $ROOT run --bundle $BUNDLE $ID >$BATS_TEST_TMPDIR/out"
  # (script's EOF reaches the pty and is echoed as "^@": dropped)
  run sh -c "sed 's/\\^@//g' $BATS_TEST_TMPDIR/out | od -An -c"
  assert_output --regexp '^ +a +\\n +b +\\n$'
  command -v script >/dev/null || skip "script(1) not installed"
  script -qec "$HUTCH --root $ROOT run --bundle $BUNDLE $(cid 2)" /dev/null </dev/null >"$BATS_TEST_TMPDIR/tty"
  run sh -c "sed 's/\\^@//g' $BATS_TEST_TMPDIR/tty | od -An -c"
  assert_output --regexp '^ +a +\\r +\\n +b +\\r +\\n$'
}
