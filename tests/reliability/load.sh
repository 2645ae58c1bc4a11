#!/bin/bash
# Load: LOAD_N (default 200) containers, LOAD_PAR (default 8) at a time,
# each run -d, inspected (state, ps), exec'd into (exec true + an exit
# status), killed and deleted; then the host must have no leftover mounts,
# cgroups or processes and the state root must be empty.
. "$(dirname "$0")/lib.sh"

N=${LOAD_N:-200}
PAR=${LOAD_PAR:-8}
B=$RWORK/bundle
make_bundle "$B"

one() {
  local id=hutch-test-rel-load$1-$$ st pid
  h run -d --bundle "$B" "$id" </dev/null >/dev/null 2>&1 || { echo "run -d $id"; return 1; }
  st=$(h state "$id" | jq -r .status)
  pid=$(h state "$id" | jq -r .pid)
  [ "$st" = running ] || { echo "$id status $st"; return 1; }
  h ps "$id" | grep -q "$pid" || { echo "$id: ps does not list $pid"; return 1; }
  h exec "$id" true </dev/null || { echo "$id: exec true"; return 1; }
  h exec "$id" sh -c 'exit 7' </dev/null
  [ $? = 7 ] || { echo "$id: exec exit status"; return 1; }
  h kill "$id" KILL || { echo "$id: kill"; return 1; }
  local i
  # Up to 20 s, which only a broken runtime needs.
  for i in $(seq 400); do [ "$(h state "$id" | jq -r .status)" = stopped ] && break; sleep 0.05; done
  h delete "$id" || { echo "$id: delete"; return 1; }
  return 0
}

start=$(date +%s)
pids=()
errs=$RWORK/load.err
: >"$errs"
for i in $(seq "$N"); do
  (one "$i" >>"$errs" 2>&1 || echo "round $i failed" >>"$errs") &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$PAR" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
wait
secs=$(($(date +%s) - start))
nfail=$(grep -c 'failed$' "$errs" || true)
[ "$nfail" = 0 ] && pass "load: $N containers" || fail "load: $nfail of $N rounds failed: $(head -5 "$errs")"

# Leftovers on the host: the state root is empty; no cgroup directory of
# any load container in any hierarchy; no mount and no process naming one
# of them or this script's scratch dir (the bundle, the --root of every
# hutch command): host_leftovers in lib.sh.
[ -z "$(ls -A "$RROOT")" ] && pass "state root empty" || fail "state root not empty: $(ls "$RROOT" | head)"
left=$(host_leftovers "hutch-test-rel-load[0-9]+-$$" "$RWORK")
nleft=$(grep -c . <<<"$left")
[ "$nleft" = 0 ] && pass "no leftovers" || fail "$nleft leftovers: $(head -20 <<<"$left")"
# (Entries of the state root named like a load container are already in $left.)
nleft=$((nleft + $(ls -A "$RROOT" | grep -cvE "^hutch-test-rel-load[0-9]+-$$\$")))
echo "load: containers=$N parallel=$PAR seconds=$secs failures=$nfail leftovers=$nleft"
finish
