#!/bin/bash
# Reliability (issue #9): fuzzing, sanitizers + valgrind, fault injection,
# races, the bad-input corpus and a load run.  Run as root from anywhere;
# .ci/run calls it after tests/reliability/install-deps.sh.  Bounded to
# about 10 minutes on a 2-core machine.  Prints "N passed, N failed" and
# exits non-zero on any failure.  Env: FUZZ_SECONDS (60), FAULT_MAX_N (8),
# FAULT_KILLS (15), LOAD_N (200), SKIP="fuzz sanitizers ..." (steps to skip).
set -u
cd "$(dirname "$0")/.."
export HUTCH=${HUTCH:-$PWD/build-rel/hutch}
cmake -S . -B build-rel -DHUTCH_WERROR=ON >/dev/null && cmake --build build-rel -j"$(nproc)" >/dev/null || {
  echo "run-reliability: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
}
passed=0 failed=0
logdir=${RELIABILITY_LOGS:-/tmp/hutch-reliability-logs}
mkdir -p "$logdir"
step() {
  local name=$1
  shift
  case " ${SKIP:-} " in *" $name "*) echo "== $name: skipped"; return ;; esac
  local t0=$SECONDS
  "$@" >"$logdir/$name.log" 2>&1
  local rc=$?
  grep -E '^(fuzz|faults|races|load|sanitizers)(-cov)?: ' "$logdir/$name.log" | grep -v FAIL
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
    echo "== $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    echo "== $name: FAILED ($((SECONDS - t0)) s); log $logdir/$name.log:"
    grep -E 'FAIL|not ok|ERROR' "$logdir/$name.log" | head -30
  fi
}
bats_corpus() {
  bats bats/reliability_bad_corpus.bats
}
step fuzz tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"
step bad_corpus bats_corpus
step races tests/reliability/races.sh
step faults env FAULT_MAX_N="${FAULT_MAX_N:-8}" FAULT_KILLS="${FAULT_KILLS:-15}" tests/reliability/faults.sh
step load env LOAD_N="${LOAD_N:-200}" tests/reliability/load.sh
step sanitizers tests/reliability/sanitizers.sh
echo "run-reliability: $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
