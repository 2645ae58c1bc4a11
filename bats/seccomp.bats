#!/usr/bin/env bats
# linux.seccomp: errnoRet/defaultErrnoRet, argument filters, kill actions,
# flags, SCMP_ACT_NOTIFY with a listener (the container process state and the
# notify fd), noNewPrivileges false for a non-root user, and bad input.

load helpers
load security_helpers

# Every x86_64 syscall name but those given: a default-deny profile whose
# default action is what the given syscalls hit.
_all_syscalls_but() {
  local hdr=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
  [ -r "$hdr" ] || skip "no $hdr"
  local re
  re=$(printf '^%s$|' "$@")
  sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' "$hdr" | grep -Ev "${re%|}" | jq -R . | jq -sc .
}

@test "seccomp: errnoRet is the errno the blocked syscall returns" {
  seccomp_allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
  update_config '.root.readonly = false'
  set_args sh -c 'mkdir /tmp/x; echo rc=$?; grep Seccomp: /proc/self/status'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial "No space left on device"
  assert_output --partial "rc=1"
  assert_output --regexp 'Seccomp:[[:space:]]+2'
  [ ! -d "$BUNDLE/rootfs/tmp/x" ]

  # Without errnoRet: EPERM.
  seccomp_allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_success
  assert_output --partial "Operation not permitted"
}

@test "seccomp: default-deny profile uses defaultErrnoRet" {
  local allowed
  allowed=$(_all_syscalls_but mkdir mkdirat)
  update_config ".root.readonly = false | .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 28,
                 \"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": $allowed, \"action\": \"SCMP_ACT_ALLOW\"}]}"
  set_args sh -c 'mkdir /tmp/y; echo rc=$?'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial "No space left on device"
  assert_output --partial "rc=1"
}

@test "seccomp: argument filters: only personality(0xffffffff) is blocked" {
  need_helper
  seccomp_allow_but '[{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
                       "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}]'
  set_args sh -c '/helper personality 0xffffffff; /helper personality 0'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 "errno=18"
  assert_line --index 1 "ok"
}

@test "seccomp: SCMP_CMP_MASKED_EQ takes value as the mask and valueTwo as the datum" {
  need_helper
  # Block mkdir(2) when the mode has the owner-execute bit (mode & 0100 == 0100).
  seccomp_allow_but '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28,
                        "args": [{"index": 1, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]}]'
  update_config '.root.readonly = false'
  set_args sh -c '/helper mkdir /tmp/exec 0755; /helper mkdir /tmp/noexec 0644; /helper mkdir /tmp/x 0100'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 "errno=28"
  assert_line --index 1 "ok"
  assert_line --index 2 "errno=28"
  [ -d "$BUNDLE/rootfs/tmp/noexec" ] && [ ! -e "$BUNDLE/rootfs/tmp/exec" ]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS" {
  need_helper
  set_args /helper attrs
  seccomp_allow_but '[{"names": ["ioprio_get"], "action": "SCMP_ACT_KILL_PROCESS"}]'
  run hutch run -b "$BUNDLE" "$(cid)"
  # The helper printed up to the blocked syscall, then died: 128 + SIGSYS (31).
  assert_equal "$status" 159
  refute_output --partial "ioprio_class="
}

@test "seccomp: flags LOG and SPEC_ALLOW are accepted and the filter applies" {
  seccomp_allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
  update_config '.root.readonly = false | .linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"]'
  set_args sh -c 'mkdir /tmp/z; echo rc=$?'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial "No space left on device"
}

@test "seccomp: noNewPrivileges false and a non-root user still get the filter" {
  seccomp_allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
  update_config '.root.readonly = false | .process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
  set_args sh -c 'mkdir /tmp/u; echo rc=$?; grep -E "NoNewPrivs|Seccomp:" /proc/self/status'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial "No space left on device"
  assert_output --regexp 'NoNewPrivs:[[:space:]]+0'
  assert_output --regexp 'Seccomp:[[:space:]]+2'
}

_start_listener() {
  SOCK="$BATS_TEST_TMPDIR/agent.sock"
  STATE="$BATS_TEST_TMPDIR/agent.state"
  [ -x "$HELPER" ] || fail "hutch-test-helper not built ($HELPER)"
  "$HELPER" listen "$SOCK" "$STATE" 123 >"$BATS_TEST_TMPDIR/agent.out" 2>&1 &
  AGENT_PID=$!
  local i
  for i in $(seq 1 100); do
    grep -q ready "$BATS_TEST_TMPDIR/agent.out" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "listener did not start"
}

extra_teardown() {
  if [ -n "${AGENT_PID:-}" ]; then
    kill "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
  fi
}

@test "seccomp: SCMP_ACT_NOTIFY hands the fd and the container process state to the listener" {
  _start_listener
  local id
  id=$(cid)
  update_config ".root.readonly = false | .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
                 \"listenerPath\": \"$SOCK\", \"listenerMetadata\": \"hutch-test-meta\",
                 \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
  set_args sh -c 'mkdir /tmp/n; echo rc=$?'
  run hutch run -b "$BUNDLE" "$id"
  assert_success
  # The agent answers every notification with ENOMEDIUM (123).
  assert_output --partial "No medium found"
  assert_output --partial "rc=1"
  wait "$AGENT_PID"
  AGENT_PID=
  run jq -r '[.ociVersion, .fds[0], (.pid|tostring), .metadata, .state.id, .state.ociVersion] | join(" ")' "$STATE"
  assert_success
  assert_output --regexp "^1\.[0-9.]+ seccompFd [1-9][0-9]* hutch-test-meta $id 1\."
  run jq -r '.state.status' "$STATE"
  assert_output --regexp '^(creating|created|running)$'
  grep -Eq '^nr=(83|258) ' "$STATE.log" # mkdir or mkdirat
}

@test "seccomp: an unreachable listener socket fails the container, leaving nothing" {
  update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
                 \"listenerPath\": \"$BATS_TEST_TMPDIR/nobody-listens.sock\",
                 \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
  set_args true
  run hutch run -b "$BUNDLE" "$(cid)"
  [ "$status" -ne 0 ]
  assert_output --partial "linux.seccomp.listenerPath"
  assert_no_leftovers "$(cid)"
}

@test "seccomp: bad input is a one-line error naming the field" {
  set_args true
  seccomp_allow_but '[{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]'
  run hutch run -b "$BUNDLE" "$(cid 1)"
  assert_bad_config "$(cid 1)" "linux.seccomp.syscalls[0].action"

  update_config '.linux.seccomp.syscalls[0].action = "SCMP_ACT_ERRNO" | .linux.seccomp.architectures = ["SCMP_ARCH_PDP11"]'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_bad_config "$(cid 2)" "linux.seccomp.architectures[0]"

  update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64"] | .linux.seccomp.syscalls[0].args = [{"index": 0, "value": 1, "op": "SCMP_CMP_SORTA"}]'
  run hutch run -b "$BUNDLE" "$(cid 3)"
  assert_bad_config "$(cid 3)" "linux.seccomp.syscalls[0].args[0].op"

  update_config '.linux.seccomp.syscalls[0] = {"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}'
  run hutch run -b "$BUNDLE" "$(cid 4)"
  assert_bad_config "$(cid 4)" "linux.seccomp.syscalls[0].errnoRet"

  update_config '.linux.seccomp.syscalls[0] = {"names": ["write"], "action": "SCMP_ACT_NOTIFY"} | .linux.seccomp.listenerPath = "/run/hutch-test-none.sock"'
  run hutch run -b "$BUNDLE" "$(cid 5)"
  assert_bad_config "$(cid 5)" "linux.seccomp.syscalls[0]"
}

@test "seccomp: unknown syscall names are skipped, the rest applies" {
  seccomp_allow_but '[{"names": ["no_such_syscall_hutch", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
  update_config '.root.readonly = false'
  set_args sh -c 'mkdir /tmp/q; echo rc=$?'
  run hutch --debug run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial "No space left on device"
}
