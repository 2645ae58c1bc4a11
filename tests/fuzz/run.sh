#!/bin/bash
# Run every libFuzzer target for a bounded time and fail on any crash, leak,
# sanitizer report or broken invariant.
#   tests/fuzz/run.sh [SECONDS_TOTAL]        (default 60, split across targets)
# Env: FUZZ_BUILD (build dir, default build-fuzz), FUZZ_NO_BUILD=1 (reuse it),
#      FUZZ_COVERAGE=1 (also build a coverage variant, replay the final
#      corpora through it and print llvm-cov's summary for spec/ and state.c).
# Each target starts from its seeds (tests/data/configs/** for the config
# targets, tests/fuzz/corpus/<target>/ for the others) in a scratch corpus
# dir, so runs are reproducible from the tree.  Crash inputs are kept in
# $FUZZ_BUILD/artifacts/.  Prints one "fuzz: TARGET execs=N cov=N ft=N" line
# per target and "fuzz: total execs=N" last.
set -euo pipefail
cd "$(dirname "$0")/../.."
total=${1:-60}
out=${FUZZ_BUILD:-build-fuzz}
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  FUZZ_BUILD=$out sh tests/fuzz/build.sh >"$out.build.log" 2>&1 || {
    cat "$out.build.log" >&2
    echo "fuzz: build failed" >&2
    exit 1
  }
fi
targets=(fuzz_spec_parse fuzz_spec_process fuzz_state fuzz_roundtrip)
per=$((total / ${#targets[@]}))
[ "$per" -ge 1 ] || per=1
work=$(mktemp -d /tmp/hutch-test-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/artifacts"
seeds() {
  case $1 in
  fuzz_spec_parse) echo tests/data/configs/valid tests/data/configs/invalid ;;
  fuzz_spec_process) echo tests/fuzz/corpus/process ;;
  fuzz_state) echo tests/fuzz/corpus/state ;;
  fuzz_roundtrip) echo tests/fuzz/corpus/roundtrip tests/data/configs/valid ;;
  esac
}
failed=0 sum=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  for d in $(seeds "$t"); do cp "$d"/*.json "$work/$t/"; done
  log=$work/$t.log
  # detect_leaks: a leak fails the run; max_len 64k keeps mutations useful
  # (the seeds are < 20 kB).  -timeout: an input taking > 10 s is a hang.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/$t" "$work/$t" -dict=tests/fuzz/json.dict -max_total_time="$per" -max_len=65536 \
    -timeout=10 -rss_limit_mb=1536 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
    >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    echo "fuzz: $t execs=$execs cov=$cov ft=$ft corpus=$corp time=${per}s"
    sum=$((sum + ${execs:-0}))
  else
    failed=$((failed + 1))
    echo "fuzz: $t FAILED (crash, leak or sanitizer report); log tail:" >&2
    tail -40 "$log" >&2
  fi
  [ "${FUZZ_COVERAGE:-0}" = 1 ] && cp -r "$work/$t" "$out/corpus-$t.final" 2>/dev/null || true
done
echo "fuzz: total execs=$sum targets=${#targets[@]} failed=$failed"
if [ "${FUZZ_COVERAGE:-0}" = 1 ] && [ "$failed" = 0 ]; then
  covdir=$(FUZZ_BUILD=$out FUZZ_COVERAGE=1 sh tests/fuzz/build.sh 2>"$out.cov-build.log")
  profs=()
  for t in "${targets[@]}"; do
    LLVM_PROFILE_FILE="$work/$t.profraw" "$covdir/$t" -runs=0 "$out/corpus-$t.final" >/dev/null 2>&1 || true
    profs+=("$work/$t.profraw")
    rm -rf "$out/corpus-$t.final"
  done
  llvm-profdata merge -sparse "${profs[@]}" -o "$work/all.profdata"
  objs=()
  for t in "${targets[@]:1}"; do objs+=(-object "$covdir/$t"); done
  llvm-cov report "$covdir/${targets[0]}" "${objs[@]}" -instr-profile="$work/all.profdata" \
    spec/ libcontainer/container/state.c libcontainer/cgroups/fs/manager.c | sed 's/^/fuzz-cov: /'
fi
[ "$failed" = 0 ]
