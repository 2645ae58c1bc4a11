#!/bin/bash
# Sanitizers: the ASan+UBSan build (HUTCH_SANITIZE=ON) runs the unit tests
# and the lifecycle/exec/bad-input bats files; valgrind memcheck runs the
# CLI process of create/start/state/exec/delete (not the children).
# Env: ASAN_BUILD (default build-rel-asan), BATS_FILES (override the list).
. "$(dirname "$0")/lib.sh"
ASAN_BUILD=${ASAN_BUILD:-$REPO/build-rel-asan}
# detect_leaks in every hutch process; abort_on_error so a report is a
# failure.  The init is a clone of hutch that execs the user's program: ASan
# does not survive into it (execve), and LeakSanitizer runs at exit only, so
# the exec'd process is unaffected; an init that fails exits via _exit.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:print_summary=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if cmake -S "$REPO" -B "$ASAN_BUILD" -DHUTCH_SANITIZE=ON -DHUTCH_STATIC=OFF -DHUTCH_WERROR=ON >/dev/null &&
  cmake --build "$ASAN_BUILD" -j"$(nproc)" >"$RWORK/asan-build.log" 2>&1; then
  pass "asan build"
else
  fail "asan build: $(tail -5 "$RWORK/asan-build.log")"
  finish
  exit
fi
if (cd "$ASAN_BUILD" && ctest --output-on-failure >"$RWORK/ctest.log" 2>&1); then
  pass "asan unit tests"
  echo "sanitizers: $(grep -E 'tests passed' "$RWORK/ctest.log")"
else
  fail "asan unit tests: $(grep -E 'Failed|tests passed' "$RWORK/ctest.log" | head)"
fi
files=${BATS_FILES:-"lifecycle.bats state.bats exec.bats bad_input.bats reliability_bad_corpus.bats"}
for f in $files; do
  if HUTCH=$ASAN_BUILD/hutch bats "$REPO/bats/$f" >"$RWORK/bats-$f.log" 2>&1; then
    pass "asan bats $f"
    echo "sanitizers: asan bats $f: $(grep -c '^ok' "$RWORK/bats-$f.log") ok"
  else
    fail "asan bats $f: $(grep -A5 '^not ok' "$RWORK/bats-$f.log" | head -20)"
  fi
done
grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$RWORK"/bats-*.log >/dev/null 2>&1 &&
  fail "sanitizer reports in bats logs"

# valgrind memcheck on the CLI process of each command (release build).
# valgrind cannot intercept malloc in a static binary: a dynamic build.
VG_BUILD=${VG_BUILD:-$REPO/build-rel-vg}
if command -v valgrind >/dev/null &&
  cmake -S "$REPO" -B "$VG_BUILD" -DHUTCH_STATIC=OFF -DHUTCH_TESTS=OFF -DHUTCH_WERROR=ON >/dev/null &&
  cmake --build "$VG_BUILD" --target hutch -j"$(nproc)" >"$RWORK/vg-build.log" 2>&1; then
  B=$RWORK/bundle
  make_bundle "$B"
  id=hutch-test-rel-vg-$$
  vg() {
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
      --trace-children=no --child-silent-after-fork=yes "$VG_BUILD/hutch" --root "$RROOT" "$@"
  }
  for step in "create --bundle $B $id" "start $id" "state $id" "exec $id true" "ps $id" \
    "kill $id KILL" "delete --force $id"; do
    # shellcheck disable=SC2086
    vg $step </dev/null >/dev/null 2>"$RWORK/vg.err"
    rc=$?
    if [ "$rc" = 99 ] || grep -q '==[0-9]*==' "$RWORK/vg.err"; then
      fail "valgrind $step: $(head -20 "$RWORK/vg.err")"
    elif [ "$rc" != 0 ]; then
      fail "valgrind $step: exit $rc: $(head -3 "$RWORK/vg.err")"
    else
      pass "valgrind $step"
    fi
  done
  left=$(leftovers "$id" "$B")
  [ -z "$left" ] && pass "valgrind run clean" || fail "valgrind run left: $left"
else
  fail "valgrind missing or its build failed"
fi
finish
