#!/usr/bin/env bats
# Issue 16 item 1: the caller's stdio stays the caller's.  `run` and `exec`
# in the foreground never chown the caller's terminal, FIFOs or files to the
# container's user; a process of another user can still reopen /dev/stdout
# (nginx's `ln -sf /dev/stdout access.log`) because hutch relays such fds
# through pipes of its own (stdio_relay.h).  A pty hutch allocates itself
# goes to the user with devpts' tty group (uid:5), as runc.

load helpers

RECVTTY=${RECVTTY:-$(dirname "$HUTCH")/tests/tools/recvtty}

setup_file() {
  command -v script >/dev/null || skip "script(1) not installed"
}

extra_teardown() {
  [ -z "${READER_PID:-}" ] || kill "$READER_PID" 2>/dev/null || true
  [ -z "${RECVTTY_PID:-}" ] || kill -9 "$RECVTTY_PID" 2>/dev/null || true
  [ -z "${SOCKDIR:-}" ] || rm -rf "$SOCKDIR"
}

# as_user1234 ARG...: the process runs as 1234:1234 with ARG... as its args.
as_user1234() {
  set_args "$@"
  update_config 'del(.process.capabilities.ambient) | .process.user = {"uid": 1234, "gid": 1234}'
}

REOPEN='echo via-proc >/proc/self/fd/1 && echo via-dev-stdout >/dev/stdout && echo via-stderr >/dev/stderr'

# fifo_reader: a root-owned 0600 FIFO $FIFO whose content goes to $GOT.
fifo_reader() {
  FIFO=$BATS_TEST_TMPDIR/fifo
  GOT=$BATS_TEST_TMPDIR/got
  mkfifo -m 600 "$FIFO"
  cat "$FIFO" >"$GOT" &
  READER_PID=$!
}

# start_sleeper: a root container for exec tests ($ID).
start_sleeper() {
  set_args sleep 100000
  update_config 'del(.process.capabilities.ambient)'
  ID=$(cid)
  hutch run -d --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null || fail "run -d failed"
}

# in_script CMD: CMD on a fresh root-owned pty (the caller's terminal) made by
# script(1); output without \r in $output.
# The terminal's owner is printed before and after ("before=U:G",
# "after=U:G"); assert_tty_kept checks they are the same.
in_script() {
  run script -qec "stat -c 'before=%u:%g' \$(tty); $1; stat -c 'after=%u:%g' \$(tty)" /dev/null </dev/null
  output=$(printf '%s' "$output" | tr -d '\r' | sed 's/\^@//g')
  mapfile -t lines <<<"$output"
}

assert_tty_kept() {
  local before after
  before=$(printf '%s\n' "$output" | sed -n 's/^before=//p')
  after=$(printf '%s\n' "$output" | sed -n 's/^after=//p')
  [ -n "$before" ] || fail "no owner printed: $output"
  assert_equal "after=$after" "after=$before"
  assert_equal "${after%%:*}" 0
}

@test "stdio: run as uid 1234 leaves the caller's FIFO root's, output still arrives" {
  as_user1234 sh -c "$REOPEN"
  fifo_reader
  hutch run -b "$BUNDLE" "$(cid)" >"$FIFO" 2>"$BATS_TEST_TMPDIR/err"
  wait "$READER_PID"
  READER_PID=
  assert_equal "$(stat -c '%u:%g %a' "$FIFO")" "0:0 600"
  assert_equal "$(cat "$GOT")" "via-proc
via-dev-stdout"
  # stderr, a root-owned 0644 file, is relayed too (and stays root's).
  assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" via-stderr
  assert_equal "$(stat -c %u "$BATS_TEST_TMPDIR/err")" 0
}

@test "stdio: run as uid 1234 leaves the caller's terminal root's" {
  as_user1234 sh -c "$REOPEN; stat -c %u /proc/self/fd/1"
  in_script "$HUTCH --root $ROOT run -b $BUNDLE $(cid); echo rc=\$?"
  assert_line via-proc
  assert_line via-dev-stdout
  assert_line via-stderr
  assert_line 1234 # the relay's pipe is the user's
  assert_line rc=0
  assert_tty_kept
}

@test "stdio: exec as uid 1234 leaves the caller's FIFO and terminal root's" {
  start_sleeper
  fifo_reader
  hutch exec --user 1234:1234 "$ID" sh -c "$REOPEN" >"$FIFO" 2>/dev/null
  wait "$READER_PID"
  READER_PID=
  assert_equal "$(stat -c '%u:%g %a' "$FIFO")" "0:0 600"
  assert_equal "$(cat "$GOT")" "via-proc
via-dev-stdout"
  in_script "$HUTCH --root $ROOT exec --user 1234:1234 $ID sh -c '$REOPEN'; echo rc=\$?"
  assert_line via-proc
  assert_line via-stderr
  assert_line rc=0
  assert_tty_kept
}

@test "stdio: stdin is relayed too, and EOF reaches the process" {
  as_user1234 sh -c 'cat /proc/self/fd/0; echo end'
  printf 'line1\nline2\n' >"$BATS_TEST_TMPDIR/in"
  chmod 600 "$BATS_TEST_TMPDIR/in"
  run hutch run -b "$BUNDLE" "$(cid)" <"$BATS_TEST_TMPDIR/in"
  assert_success
  assert_output "line1
line2
end"
}

@test "stdio: a root process gets the caller's fds as they are (no relay)" {
  set_args sh -c 'readlink /proc/self/fd/1'
  update_config 'del(.process.capabilities.ambient)'
  hutch run -b "$BUNDLE" "$(cid)" >"$BATS_TEST_TMPDIR/out"
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "$BATS_TEST_TMPDIR/out"
}

@test "stdio: the pty of run -t is uid:5 (tty group kept), not the caller's" {
  as_user1234 sh -c 'stat -c "pty=%u:%g" "$(tty)"'
  update_config '.process.terminal = true'
  in_script "$HUTCH --root $ROOT run -b $BUNDLE $(cid)"
  assert_line "pty=1234:5"
  assert_tty_kept
}

@test "stdio: the pty of exec -t and of a console socket is uid:5" {
  start_sleeper
  in_script "$HUTCH --root $ROOT exec -t --user 1234:1234 $ID sh -c 'stat -c pty=%u:%g \$(tty)'"
  assert_line "pty=1234:5"
  [ -x "$RECVTTY" ] || fail "recvtty not built ($RECVTTY)"
  SOCKDIR=$(mktemp -d /tmp/hutch-test-stdio.XXXXXX)
  "$RECVTTY" -o "$SOCKDIR/out" -n "$SOCKDIR/name" "$SOCKDIR/sock" 3>&- &
  RECVTTY_PID=$!
  wait_socket "$SOCKDIR/sock"
  as_user1234 sh -c 'stat -c "pty=%u:%g" "$(tty)"'
  update_config '.process.terminal = true'
  run hutch create --console-socket "$SOCKDIR/sock" -b "$BUNDLE" "$(cid 2)"
  assert_success
  run hutch start "$(cid 2)"
  assert_success
  wait "$RECVTTY_PID"
  RECVTTY_PID=
  assert_equal "$(tr -d '\r' <"$SOCKDIR/out")" "pty=1234:5"
}

@test "stdio: run -d hands over the caller's FIFO (uid only, as runc), never its terminal" {
  as_user1234 sh -c "$REOPEN"
  fifo_reader
  hutch run -d -b "$BUNDLE" "$(cid)" >"$FIFO" 2>/dev/null </dev/null
  wait "$READER_PID"
  READER_PID=
  assert_equal "$(stat -c '%u:%g' "$FIFO")" "1234:0"
  assert_equal "$(cat "$GOT")" "via-proc
via-dev-stdout"
  # The detached container writes to the terminal on its own time: wait for
  # it to stop before the next lines, or they interleave with its message.
  in_script "$HUTCH --root $ROOT run -d -b $BUNDLE $(cid 2) </dev/null; r=\$?; \
    for i in \$(seq 200); do $HUTCH --root $ROOT state $(cid 2) | grep -q '\"stopped\"' && break; sleep 0.05; done; \
    echo; echo rc=\$r"
  assert_line rc=0
  assert_tty_kept
}
