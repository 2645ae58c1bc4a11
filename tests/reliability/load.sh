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
  for i in $(seq 100); do [ "$(h state "$id" | jq -r .status)" = stopped ] && break; sleep 0.05; done
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

# Leftovers on the host.
[ -z "$(ls -A "$RROOT")" ] && pass "state root empty" || fail "state root not empty: $(ls "$RROOT" | head)"
cg=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "hutch-test-rel-load*-$$" 2>/dev/null | head)
[ -z "$cg" ] && pass "no cgroups left" || fail "cgroups left: $cg"
mnt=$(grep -cF "$RWORK" /proc/self/mountinfo || true)
[ "$mnt" = 0 ] && pass "no mounts left" || fail "$mnt mounts left under $RWORK"
procs=""
for p in /proc/[0-9]*; do
  # The init before its exec names the ID; any container process has it in
  # its cgroup paths.
  # A container process is in a cgroup named after its container.
  c=$(cat "$p/cgroup" 2>/dev/null)
  case $c in *"/hutch-test-rel-load"*) [ -d "$p" ] && procs+=" ${p#/proc/}" ;; esac
done
[ -z "$procs" ] && pass "no processes left" || fail "processes left:$procs"
echo "load: containers=$N parallel=$PAR seconds=$secs failures=$nfail leftovers=$FAILED"
finish
