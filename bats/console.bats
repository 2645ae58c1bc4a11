#!/usr/bin/env bats
# process.terminal with --console-socket: the receiver gets the pty master,
# the container's process runs on the pty (which is also /dev/console).

load helpers

RECVTTY=${RECVTTY:-$(dirname "$HUTCH")/tests/tools/recvtty}

# start_recvtty [RECVTTY OPTION...]: a receiver on $SOCK writing what the pty
# prints to $TTY_OUT and the name sent with the master to $TTY_NAME.
start_recvtty() {
  [ -x "$RECVTTY" ] || skip "recvtty not built ($RECVTTY)"
  # A short directory: unix socket paths are limited to 108 bytes.
  SOCKDIR=$(mktemp -d /tmp/hutch-test-console.XXXXXX)
  SOCK=$SOCKDIR/console.sock
  TTY_OUT=$SOCKDIR/out
  TTY_NAME=$SOCKDIR/name
  "$RECVTTY" -o "$TTY_OUT" -n "$TTY_NAME" -p "$SOCKDIR/pid" "$@" "$SOCK" 3>&- &
  RECVTTY_PID=$!
  wait_socket "$SOCK"
}

# wait_recvtty: until the receiver has copied everything (the pty closed).
wait_recvtty() {
  wait "$RECVTTY_PID"
  RECVTTY_PID=
}

extra_teardown() {
  if [ -n "${RECVTTY_PID:-}" ]; then
    kill -9 "$RECVTTY_PID" 2>/dev/null || true
  fi
  [ -z "${SOCKDIR:-}" ] || rm -rf "$SOCKDIR"
}

# terminal_args ARG...: process.args, terminal on.  (Ambient capabilities are
# dropped so that no runtime warning about them lands on the pty.)
terminal_args() {
  set_args "$@"
  update_config '.process.terminal = true | del(.process.capabilities.ambient)'
}

@test "terminal: the receiver gets the master and sees the process's output" {
  start_recvtty
  terminal_args sh -c 'echo hello from the pty'
  local id
  id=$(cid)
  run hutch create --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  run hutch start "$id"
  assert_success
  wait_recvtty
  run cat "$TTY_NAME"
  assert_output "/dev/ptmx"
  run tr -d '\r' <"$TTY_OUT"
  assert_output "hello from the pty"
}

@test "terminal: stdin, stdout and stderr are the tty, bound on /dev/console" {
  start_recvtty
  terminal_args sh -c 'tty; for fd in 0 1 2; do test -t $fd && echo "fd$fd tty"; done; [ "$(stat -c %t:%T /dev/console)" = "$(stat -L -c %t:%T /proc/self/fd/0)" ] && echo console-is-pty'
  local id
  id=$(cid)
  run hutch create --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  run hutch start "$id"
  assert_success
  wait_recvtty
  run tr -d '\r' <"$TTY_OUT"
  assert_output "/dev/pts/0
fd0 tty
fd1 tty
fd2 tty
console-is-pty"
}

@test "terminal: consoleSize is applied" {
  start_recvtty
  terminal_args stty size
  update_config '.process.consoleSize = {"height": 33, "width": 77}'
  local id
  id=$(cid)
  run hutch create --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  run hutch start "$id"
  assert_success
  wait_recvtty
  run tr -d '\r' <"$TTY_OUT"
  assert_output "33 77"
}

@test "terminal: input written to the master reaches the process" {
  start_recvtty -i $'typed-line\n'
  terminal_args sh -c 'read -r l; echo "got:$l"'
  local id
  id=$(cid)
  run hutch create --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  run hutch start "$id"
  assert_success
  wait_recvtty
  run tr -d '\r' <"$TTY_OUT"
  assert_line "got:typed-line"
}

@test "terminal: the process has a controlling terminal and its own session" {
  start_recvtty
  # /dev/tty opens only with a controlling terminal; job control needs the
  # process to lead the foreground process group of it.
  terminal_args sh -c 'echo via-dev-tty >/dev/tty && echo ok'
  local id
  id=$(cid)
  run hutch create --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  run hutch start "$id"
  assert_success
  wait_recvtty
  run tr -d '\r' <"$TTY_OUT"
  assert_output "via-dev-tty
ok"
}

@test "terminal: a non-root process owns its tty and can reopen it" {
  start_recvtty
  terminal_args sh -c 'stat -c %u "$(tty)"; echo reopened >"$(tty)" && echo ok'
  update_config '.process.user = {"uid": 1000, "gid": 1000}'
  local id
  id=$(cid)
  run hutch create --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  run hutch start "$id"
  assert_success
  wait_recvtty
  run tr -d '\r' <"$TTY_OUT"
  assert_output "1000
reopened
ok"
}

@test "terminal: run --detach with a console socket" {
  start_recvtty
  terminal_args echo detached-hello
  local id
  id=$(cid)
  run hutch run -d --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  wait_recvtty
  run tr -d '\r' <"$TTY_OUT"
  assert_output "detached-hello"
}

@test "a console socket that does not exist is a one-line error and leaves nothing" {
  terminal_args true
  local id
  id=$(cid)
  run hutch create --console-socket /nonexistent/hutch-test.sock -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial "connect to console socket /nonexistent/hutch-test.sock: No such file or directory"
  assert_no_leftovers "$id"
}

@test "a console socket that is not listening is a one-line error and leaves nothing" {
  terminal_args true
  local f="$BATS_TEST_TMPDIR/not-a-socket"
  touch "$f"
  local id
  id=$(cid)
  run hutch create --console-socket "$f" -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial "connect to console socket $f: Connection refused"
  assert_no_leftovers "$id"
}

# issue 16 item 14: as runc, ONLCR is off on the container's pty: lines end
# in "\n", not "\r\n".
@test "terminal: the pty does not turn \\n into \\r\\n (ONLCR off, as runc)" {
  start_recvtty
  terminal_args sh -c 'printf "a\nb\n"'
  local id
  id=$(cid)
  run hutch run -d --console-socket "$SOCK" -b "$BUNDLE" "$id"
  assert_success
  wait_recvtty
  run od -An -c "$TTY_OUT"
  assert_output --regexp '^ +a +\\n +b +\\n$'
}
