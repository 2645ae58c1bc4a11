#!/bin/bash
# Sanitizers (issue #9, part 2); about 3 minutes on 2 cores.
#  1. The ASan+UBSan build (clang, HUTCH_SANITIZE=ON, dynamic) runs the unit tests
#     and the bats files of BATS_FILES with HUTCH set to it.  Every report of
#     every hutch process (the CLI, the init and exec's child up to their
#     execve) goes to a file under $RWORK/san (log_path), so a report is a
#     failure even where the test expected hutch to fail (bad_input).
#  2. valgrind memcheck runs the CLI process of create, start, state, exec,
#     ps, kill and delete, and the children it clones up to their execve: no
#     error, no definite, indirect or possible leak (still-reachable blocks
#     are allowed; today there are none).
# Env: ASAN_BUILD (build-rel-asan), VG_BUILD (build-rel-vg), SAN_CC (clang),
# BATS_FILES, BATS_TIMEOUT (300 s per bats file).
. "$(dirname "$0")/lib.sh"
ASAN_BUILD=${ASAN_BUILD:-$REPO/build-rel-asan}
VG_BUILD=${VG_BUILD:-$REPO/build-rel-vg}
SANLOG=$RWORK/san
mkdir -p "$SANLOG"
# abort_on_error: a report kills the process (also in UBSan, whose default
# exit status 1 would pass for hutch's own error exit).  ctest and bats get
# time limits: a sanitizer that cannot die (a seccomp filter denying what it
# needs) hangs instead of failing.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:print_summary=1:log_path=$SANLOG/asan
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$SANLOG/ubsan
# san_reports WHAT: fail when sanitizer reports were written since the last call.
san_reports() {
  local f
  for f in "$SANLOG"/*; do
    [ -e "$f" ] || continue
    fail "$1: sanitizer report $(basename "$f"): $(grep -m1 -E 'ERROR|runtime error' "$f")"
    head -40 "$f" >&2
    mv "$f" "$RWORK/reported-$(basename "$f")"
  done
}

# clang: with gcc's separate libubsan, UBSan ignores log_path and reports
# only on stderr.  No -Werror: clang warns about things gcc does not (the
# gcc build with HUTCH_WERROR is the warnings gate).
SAN_CC=$(command -v "${SAN_CC:-clang}") || { fail "${SAN_CC:-clang} not installed"; finish; exit; }
# A build dir made with another compiler starts afresh (cmake would drop
# the -D options when it notices the change itself).
if [ -f "$ASAN_BUILD/CMakeCache.txt" ] &&
  [ "$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$ASAN_BUILD/CMakeCache.txt")" != "$SAN_CC" ]; then
  rm -rf "$ASAN_BUILD/CMakeCache.txt" "$ASAN_BUILD/CMakeFiles"
fi
t0=$SECONDS
if cmake -S "$REPO" -B "$ASAN_BUILD" -DCMAKE_C_COMPILER="$SAN_CC" -DHUTCH_SANITIZE=ON -DHUTCH_STATIC=OFF \
  -DHUTCH_WERROR=OFF >/dev/null && cmake --build "$ASAN_BUILD" -j"$(nproc)" >"$RWORK/asan-build.log" 2>&1; then
  pass "asan build"
  echo "sanitizers: asan build ($SAN_CC): $((SECONDS - t0)) s"
else
  fail "asan build: $(tail -5 "$RWORK/asan-build.log")"
  finish
  exit
fi

t0=$SECONDS
if (cd "$ASAN_BUILD" && ctest --timeout 120 --output-on-failure >"$RWORK/ctest.log" 2>&1); then
  pass "asan unit tests"
else
  fail "asan unit tests: $(grep -E 'Failed|Timeout|tests passed' "$RWORK/ctest.log" | head)"
fi
echo "sanitizers: asan unit tests: $(grep -E 'tests passed' "$RWORK/ctest.log") ($((SECONDS - t0)) s)"
san_reports "asan unit tests"

# Every bats file but cgroups.bats, whose 256 KiB memory limit cannot hold
# the ASan runtime (the container is OOM-killed).  About 3 minutes.
files=${BATS_FILES:-"lifecycle.bats state.bats exec.bats bad_input.bats reliability_bad_corpus.bats
  cli.bats process.bats hooks.bats console.bats tty.bats security.bats seccomp.bats rootfs.bats
  namespaces.bats update.bats pause.bats events.bats spec.bats unsupported.bats"}
for f in $files; do
  t0=$SECONDS
  HUTCH=$ASAN_BUILD/hutch timeout -k 10 "${BATS_TIMEOUT:-300}" bats "$REPO/bats/$f" >"$RWORK/bats-$f.log" 2>&1
  rc=$?
  nok=$(grep -c '^ok' "$RWORK/bats-$f.log")
  if [ "$rc" = 0 ]; then
    pass "asan bats $f"
  elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    fail "asan bats $f: timed out after ${BATS_TIMEOUT:-300} s: $(tail -3 "$RWORK/bats-$f.log")"
  else
    fail "asan bats $f: $(grep -A5 '^not ok' "$RWORK/bats-$f.log" | head -20)"
  fi
  echo "sanitizers: asan bats $f: $nok ok, $(grep -c '^not ok' "$RWORK/bats-$f.log") not ok ($((SECONDS - t0)) s)"
  san_reports "asan bats $f"
done

# valgrind memcheck, on a dynamic release build (valgrind cannot replace
# malloc in a static binary).  valgrind 3.19 (Debian 12) does not emulate
# openat2, open_tree, move_mount, mount_setattr or pidfd_open (it returns
# ENOSYS), and the init and exec's child, clones of the CLI process, stay
# under valgrind until their execve.  So:
#  A. a bundle without a mount namespace (root "/", no mounts), whose init
#     needs none of them: every command under valgrind, create included;
#  B. the usual busybox bundle, created without valgrind: the other commands
#     under valgrind (delete --force of a running container, this time).
# Without pidfds, start, kill and delete take their ENOSYS fallbacks (the
# pidfd paths ran under ASan above).  valgrind refuses any setrlimit of the
# RLIMIT_NOFILE hard limit (its own fds sit above it): no process.rlimits.
t0=$SECONDS
if ! command -v valgrind >/dev/null; then
  fail "valgrind not installed"
elif ! { cmake -S "$REPO" -B "$VG_BUILD" -DHUTCH_STATIC=OFF -DHUTCH_TESTS=OFF -DHUTCH_WERROR=ON >/dev/null &&
  cmake --build "$VG_BUILD" --target hutch -j"$(nproc)" >"$RWORK/vg-build.log" 2>&1; }; then
  fail "valgrind build: $(tail -5 "$RWORK/vg-build.log")"
else
  # The same build runs natively where valgrind is not wanted (h, make_bundle).
  HUTCH=$VG_BUILD/hutch
  VA=$RWORK/vg-nomntns VB=$RWORK/vg-busybox
  mkdir -p "$VA"
  "$VG_BUILD/hutch" spec --bundle "$VA"
  jq '.root = {path: "/", readonly: false} | del(.hostname) | del(.process.rlimits) |
      .mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = [] |
      .linux.namespaces |= map(select(.type != "mount")) |
      .process.args = ["sleep", "1000"] | .process.terminal = false' \
    "$VA/config.json" >"$VA/c.json" && mv "$VA/c.json" "$VA/config.json"
  make_bundle "$VB"
  jq 'del(.process.rlimits)' "$VB/config.json" >"$VB/c.json" && mv "$VB/c.json" "$VB/config.json"
  ida=hutch-test-rel-vga-$$ idb=hutch-test-rel-vgb-$$
  nvg=0 nvgfail=0
  vg() {
    nvg=$((nvg + 1))
    timeout -k 5 120 valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
      --trace-children=no --child-silent-after-fork=no \
      "$VG_BUILD/hutch" --root "$RROOT" "$@" </dev/null >"$RWORK/vg.out" 2>"$RWORK/vg.err"
    local rc=$?
    # Errors are "==PID== ..." lines ("--PID-- WARNING: unhandled syscall"
    # lines are valgrind's notes on the ENOSYS above).
    if [ "$rc" = 99 ] || grep -q '^==[0-9]*== ' "$RWORK/vg.err"; then
      nvgfail=$((nvgfail + 1))
      fail "valgrind $*: $(grep '^==' "$RWORK/vg.err" | head -30)"
    elif [ "$rc" != 0 ]; then
      nvgfail=$((nvgfail + 1))
      fail "valgrind $*: exit $rc: $(grep -v '^--' "$RWORK/vg.err" | head -3)"
    else
      pass "valgrind $*"
    fi
  }
  vg create --bundle "$VA" "$ida"
  vg start "$ida"
  vg state "$ida"
  jq -e '.status == "running"' "$RWORK/vg.out" >/dev/null || fail "valgrind A: state says $(cat "$RWORK/vg.out")"
  vg exec "$ida" sh -c 'exit 0'
  vg ps "$ida"
  grep -q 'sleep 1000' "$RWORK/vg.out" || fail "valgrind A: ps does not list the init: $(cat "$RWORK/vg.out")"
  vg kill "$ida" KILL
  for i in $(seq 100); do [ "$(h state "$ida" | jq -r .status)" = stopped ] && break; sleep 0.05; done
  vg delete "$ida"
  h create --bundle "$VB" "$idb" </dev/null >/dev/null 2>&1 || fail "create $idb (without valgrind)"
  vg start "$idb"
  vg state "$idb"
  vg exec "$idb" true
  vg ps "$idb"
  vg kill "$idb" CONT
  vg delete --force "$idb"
  left=$(host_leftovers "hutch-test-rel-vg[ab]-$$" "$VA" "$VB")
  [ -z "$left" ] && pass "valgrind runs clean" || fail "valgrind runs left: $left"
  echo "sanitizers: valgrind: $nvg commands, $nvgfail with errors, leaks or a failure ($((SECONDS - t0)) s)"
fi
finish
