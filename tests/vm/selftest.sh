#!/bin/bash
# selftest.sh: prove that tests/vm/run-in-v2vm.sh gives a working pure
# cgroup-v2 host.  Boots the VM a few times (~5-10 s each under TCG) and
# checks: the cgroup2-only mount with every controller enabled, exit-status
# and stdout/stderr pass-through, the read-write share and the throw-away
# root, --env, orphan reaping, --timeout, and that runc (and crun, when
# installed) run a seccomp'd busybox container with a v2 memory limit.
# Ends with "N passed, N failed"; exits non-zero if any check failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$here/run-in-v2vm.sh
passed=0 failed=0
ok() {
  echo "ok: $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}

work=$(mktemp -d "$repo/.v2vm-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT

# check DESCRIPTION DETAIL-IF-FAILED TEST...: run TEST, count and report.
check() {
  local desc=$1 detail=$2
  shift 2
  if "$@"; then ok "$desc"; else fail "$desc: $detail"; fi
}

# 1. The cgroup setup, and the command's exit status and output.
out=$("$vm" 'cat /sys/fs/cgroup/cgroup.subtree_control; stat -fc %T /sys/fs/cgroup; exit 3' 2>"$work/err")
rc=$?
want_ctrls=$(tr ' ' '\n' <<<"cpuset cpu io memory hugetlb pids rdma misc" | sort)
got_ctrls=$(head -n 1 <<<"$out" | tr ' ' '\n' | sort)
check "exit status 3 passed through" "got $rc ($(cat "$work/err"))" [ "$rc" = 3 ]
check "root subtree_control has every controller" "got '$(head -n 1 <<<"$out")'" \
  [ "$got_ctrls" = "$want_ctrls" ]
check "/sys/fs/cgroup is cgroup2" "got '$(sed -n 2p <<<"$out")'" [ "$(sed -n 2p <<<"$out")" = cgroup2fs ]

# 2. Only cgroup2 is mounted; the command runs in a leaf cgroup; stdout and
# stderr stay apart and are complete; the share is writable, / is not kept;
# cwd and --env are passed; orphans are reaped by PID 1.
cd "$repo" || exit 1
# shellcheck disable=SC2016 # $V2VM_TEST expands in the VM
"$vm" --env V2VM_TEST='a b' '
  grep -c cgroup /proc/self/mountinfo
  cat /proc/self/cgroup
  seq 1 100000 | md5sum
  echo "err line" >&2
  pwd; echo "$V2VM_TEST"
  echo shared >'"$work"'/from-vm
  echo gone >/etc/hutch-v2vm-probe
  sh -c "sleep 0.1 & exit"; sleep 1
  ps -eo stat= | grep -c "^Z"
  exit 0' >"$work/out" 2>"$work/err"
rc=$?
mapfile -t l <"$work/out"
check "second run exits 0" "rc $rc: $(cat "$work/err")" [ "$rc" = 0 ]
check "exactly one cgroup mount" "got ${l[0]:-}" [ "${l[0]:-}" = 1 ]
check "command runs in the leaf /hutch-v2vm.scope" "got ${l[1]:-}" [ "${l[1]:-}" = 0::/hutch-v2vm.scope ]
check "100000 lines of stdout intact" "md5 ${l[2]:-}" [ "${l[2]:-}" = "$(seq 1 100000 | md5sum)" ]
check "stderr separate" "got '$(cat "$work/err")'" [ "$(cat "$work/err")" = "err line" ]
check "cwd passed" "got ${l[3]:-}" [ "${l[3]:-}" = "$repo" ]
check "--env passed" "got ${l[4]:-}" [ "${l[4]:-}" = "a b" ]
check "share is read-write" "$work/from-vm not written" [ "$(cat "$work/from-vm" 2>/dev/null)" = shared ]
check "writes to / stay in the VM" "/etc/hutch-v2vm-probe leaked" [ ! -e /etc/hutch-v2vm-probe ]
check "no zombies (PID 1 reaps orphans)" "got ${l[5]:-}" [ "${l[5]:-}" = 0 ]

# 3. --timeout kills the VM and fails clearly.
"$vm" --timeout 10 'sleep 1000' >/dev/null 2>"$work/err"
rc=$?
check "--timeout kills the VM (rc 124)" "rc $rc: $(cat "$work/err")" [ "$rc" = 124 ]
check "--timeout says so" "$(cat "$work/err")" grep -q 'timed out after 10s' "$work/err"

# 4. runc and crun run a seccomp'd busybox container with a memory limit.
runtimes=()
for r in runc crun; do command -v "$r" >/dev/null && runtimes+=("$r"); done
if ! command -v jq >/dev/null || [ ${#runtimes[@]} = 0 ]; then
  fail "runtime check needs jq and runc or crun on the host"
fi
for r in "${runtimes[@]}"; do
  b=$work/bundle-$r
  sh "$repo/contrib/mkbundle.sh" "$b" runc >/dev/null || {
    fail "mkbundle for $r"
    continue
  }
  jq '.process.terminal = false
    | .process.args = ["sh", "-c", "mkdir /tmp/x 2>/dev/null && echo mkdir-allowed || echo mkdir-denied; grep Seccomp: /proc/self/status; cat /sys/fs/cgroup/memory.max; sleep 1000"]
    | .linux.namespaces += [{"type": "cgroup"}]
    | .linux.cgroupsPath = "/hutch-test-v2vm-'"$r"'"
    | .linux.resources.memory = {"limit": 67108864}
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}' \
    "$b/config.json" >"$b/config.new" && mv "$b/config.new" "$b/config.json"
  "$vm" "
    $r run -d -b $b hutch-test-v2vm </dev/null >$b/log 2>&1 || { cat $b/log; exit 1; }
    for i in \$(seq 100); do grep -q memory.max $b/log 2>/dev/null && break; sleep 0.2; done
    cat $b/log
    echo host-view: \$(cat /sys/fs/cgroup/hutch-test-v2vm-$r/memory.max)
    $r kill hutch-test-v2vm KILL; $r delete -f hutch-test-v2vm
    test ! -e /sys/fs/cgroup/hutch-test-v2vm-$r && echo cgroup-removed" >"$work/out" 2>&1
  rc=$?
  if [ "$rc" = 0 ] && grep -qx 'mkdir-denied' "$work/out" && grep -q '^Seccomp:.*2' "$work/out" &&
    grep -qx '67108864' "$work/out" && grep -qx 'host-view: 67108864' "$work/out" &&
    grep -qx cgroup-removed "$work/out"; then
    ok "$r: seccomp'd container with memory.max 67108864 in /sys/fs/cgroup/hutch-test-v2vm-$r"
  else
    fail "$r container (rc $rc): $(tr '\n' '|' <"$work/out")"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
