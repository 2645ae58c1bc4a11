#!/bin/bash
# Races: parallel creates (distinct IDs, one ID), parallel kill/delete/state
# on one container, delete while the container exits, and pid reuse.
. "$(dirname "$0")/lib.sh"

RACES=0
B=$RWORK/bundle
make_bundle "$B"
QB=$RWORK/quick
make_bundle "$QB" sh -c 'sleep 0.$((RANDOM % 3))'
one_line() { [ "$(grep -c '' "$1")" = 1 ] && grep -q '^hutch' "$1"; }

# 1. 50 parallel creates of distinct IDs: all succeed.
pids=()
for i in $(seq 50); do
  "$HUTCH" --root "$RROOT" create --bundle "$B" "hutch-test-rel-p$i-$$" </dev/null >/dev/null 2>"$RWORK/p$i.err" &
  pids+=($!)
done
okc=0
for i in $(seq 50); do wait "${pids[$((i - 1))]}" && okc=$((okc + 1)); done
[ "$okc" = 50 ] && pass "50 parallel creates" || fail "50 parallel creates: $okc succeeded: $(cat "$RWORK"/p*.err | sort | uniq -c | head -3)"
bad=0
for i in $(seq 50); do [ "$(h state "hutch-test-rel-p$i-$$" 2>/dev/null | jq -r .status)" = created ] || bad=$((bad + 1)); done
[ "$bad" = 0 ] && pass "50 created" || fail "$bad of 50 not in status created"
pids=()
for i in $(seq 50); do h delete --force "hutch-test-rel-p$i-$$" >/dev/null 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "parallel delete --force failed"; done
left=""
for i in $(seq 50); do left+=$(leftovers "hutch-test-rel-p$i-$$"); done
[ -z "$left" ] && pass "50 parallel deletes clean" || fail "parallel deletes left: $left"
RACES=$((RACES + 1))

# 2. 20 parallel creates of one ID: exactly one wins, the others say so.
for round in 1 2 3; do
  id=hutch-test-rel-same$round-$$
  pids=()
  for i in $(seq 20); do
    "$HUTCH" --root "$RROOT" create --bundle "$B" "$id" </dev/null >/dev/null 2>"$RWORK/s$i.err" &
    pids+=($!)
  done
  okc=0 msgs=0
  for i in $(seq 20); do
    if wait "${pids[$((i - 1))]}"; then okc=$((okc + 1)); else
      one_line "$RWORK/s$i.err" && grep -q "container $id already exists" "$RWORK/s$i.err" && msgs=$((msgs + 1))
    fi
  done
  [ "$okc" = 1 ] && pass "one ID x20: one winner" || fail "one ID x20 (round $round): $okc winners"
  [ "$msgs" = 19 ] && pass "one ID x20: 19 'already exists'" || fail "one ID x20 (round $round): $msgs of 19 losers said 'already exists': $(cat "$RWORK"/s*.err | sort | uniq -c)"
  st=$(h state "$id" | jq -r .status)
  pid=$(h state "$id" | jq -r .pid)
  [ "$st" = created ] && kill -0 "$pid" && pass "winner intact" || fail "one ID x20: winner status '$st' pid $pid"
  # Only one init may exist: one cgroup with exactly one process.
  n=$(wc -l <"/sys/fs/cgroup/pids/$id/cgroup.procs" 2>/dev/null || echo "?")
  [ "$n" = 1 ] && pass "one init" || fail "one ID x20: $n processes in the cgroup"
  h delete --force "$id" >/dev/null 2>&1
  left=$(leftovers "$id")
  [ -z "$left" ] && pass "one ID clean" || fail "one ID x20 left: $left"
  RACES=$((RACES + 1))
done

# 3. Parallel kill/delete/state on one container: no crash (signal), every
# failure one line, the state file always valid JSON, nothing left.
for round in 1 2 3 4 5; do
  id=hutch-test-rel-mix$round-$$
  h run -d --bundle "$B" "$id" </dev/null >/dev/null 2>&1 || { fail "mix: run -d"; continue; }
  pids=()
  for i in $(seq 30); do
    case $((i % 6)) in
    0) cmd=(state "$id") ;;
    1) cmd=(kill "$id" CONT) ;;
    2) cmd=(kill "$id" TERM) ;;
    3) cmd=(delete "$id") ;;
    4) cmd=(delete --force "$id") ;;
    5) cmd=(ps "$id") ;;
    esac
    "$HUTCH" --root "$RROOT" "${cmd[@]}" </dev/null >/dev/null 2>"$RWORK/m$i.err" &
    pids+=($!)
    if [ -f "$RROOT/$id/state.json" ]; then
      jq -e . "$RROOT/$id/state.json" >/dev/null 2>&1 || [ ! -f "$RROOT/$id/state.json" ] || fail "mix: state.json not valid JSON"
    fi
  done
  crash=0 multi=0
  for i in $(seq 30); do
    wait "${pids[$((i - 1))]}"
    rc=$?
    [ "$rc" -lt 128 ] || crash=$((crash + 1))
    if [ "$rc" != 0 ] && ! one_line "$RWORK/m$i.err"; then multi=$((multi + 1)); echo "mix: $(cat "$RWORK/m$i.err")" >&2; fi
  done
  [ "$crash" = 0 ] && pass "mix: no crash" || fail "mix round $round: $crash commands died by a signal"
  [ "$multi" = 0 ] && pass "mix: one-line errors" || fail "mix round $round: $multi failures without a one-line message"
  h delete --force "$id" >/dev/null 2>&1
  left=$(leftovers "$id")
  [ -z "$left" ] && pass "mix clean" || fail "mix round $round left: $left"
  RACES=$((RACES + 1))
done

# 4. delete while the container is exiting (sleeps 0-0.2 s): delete either
# succeeds or refuses with one line; a final delete succeeds; nothing left.
for round in $(seq 10); do
  id=hutch-test-rel-exit$round-$$
  h run -d --bundle "$QB" "$id" </dev/null >/dev/null 2>&1 || { fail "exiting: run -d"; continue; }
  sleep "0.$((RANDOM % 3))"
  if ! h delete "$id" >/dev/null 2>"$RWORK/d.err"; then
    one_line "$RWORK/d.err" || fail "exiting round $round: delete: $(cat "$RWORK/d.err")"
    for i in $(seq 50); do h delete "$id" >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  [ ! -e "$RROOT/$id" ] && pass "delete while exiting" || fail "exiting round $round: state dir left"
  left=$(leftovers "$id")
  [ -z "$left" ] || fail "exiting round $round left: $left"
  force_clean "$id"
  RACES=$((RACES + 1))
done

# 5. pid reuse: state.json points at a live unrelated process with another
# start time.  state says stopped, kill refuses, delete does not kill it.
id=hutch-test-rel-reuse-$$
h run -d --bundle "$B" "$id" </dev/null >/dev/null 2>&1 || fail "reuse: run -d"
real=$(h state "$id" | jq -r .pid)
sleep 1000 &
other=$!
st=$(jq -c --argjson p "$other" '.pid = $p | .pid_start = (.pid_start + 12345)' "$RROOT/$id/state.json")
printf '%s' "$st" >"$RROOT/$id/state.json"
[ "$(h state "$id" | jq -r .status)" = stopped ] && pass "reuse: stopped" || fail "reuse: status $(h state "$id" | jq -r .status)"
[ "$(h state "$id" | jq -r .pid)" = 0 ] && pass "reuse: pid 0" || fail "reuse: state shows pid $(h state "$id" | jq -r .pid)"
if h kill "$id" KILL >/dev/null 2>"$RWORK/k.err"; then fail "reuse: kill succeeded"; else
  one_line "$RWORK/k.err" && pass "reuse: kill refuses" || fail "reuse: kill message: $(cat "$RWORK/k.err")"
fi
kill -0 "$other" && pass "reuse: unrelated alive after kill" || fail "reuse: kill killed the unrelated process"
h delete "$id" >/dev/null 2>"$RWORK/d.err" || fail "reuse: delete of a stopped container failed: $(cat "$RWORK/d.err")"
kill -0 "$other" && pass "reuse: unrelated alive after delete" || fail "reuse: delete killed the unrelated process"
h delete --force "$id" >/dev/null 2>&1
kill -0 "$other" && pass "reuse: unrelated alive after delete --force" || fail "reuse: delete --force killed the unrelated process"
# The real init was in the container's cgroup: delete destroyed it with the cgroup.
for i in $(seq 50); do kill -0 "$real" 2>/dev/null || break; sleep 0.1; done
kill -0 "$real" 2>/dev/null && { fail "reuse: the real init survived delete"; kill -9 "$real"; } || pass "reuse: real init gone"
left=$(leftovers "$id")
[ -z "$left" ] && pass "reuse clean" || fail "reuse left: $left"
kill "$other"
wait "$other" 2>/dev/null
RACES=$((RACES + 1))

echo "races: scenarios run=$RACES"
finish
