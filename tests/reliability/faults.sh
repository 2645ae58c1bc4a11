#!/bin/bash
# Fault injection without test hooks.
#  1. strace -f -e inject=SYSCALL:error=E:when=N makes the Nth call of each
#     syscall the runtime makes during `create` fail (parent and init alike);
#  2. kill -9 of `create`, `start` and `exec` after a random 0-30 ms.
# After each: a failed command printed one line "hutch: ..." (or it died),
# `delete --force` leaves no state dir, cgroup, mount or process, and a
# sentinel container running throughout is unharmed at the end.
# Env: FAULT_MAX_N (cap on N per syscall, default: every call seen),
#      FAULT_KILLS (kill -9 rounds per command, default 25).
. "$(dirname "$0")/lib.sh"

INJECTED=0 SURVIVED=0 CREATE_OK=0
B=$RWORK/bundle
make_bundle "$B"

# Sentinel: run -d, record its pid and start time.
SENT=hutch-test-rel-sentinel-$$
h run -d --bundle "$B" "$SENT" </dev/null >/dev/null 2>&1 || { fail "sentinel did not start"; finish; exit; }
SENT_PID=$(h state "$SENT" | jq -r .pid)
SENT_START=$(awk '{print $22}' "/proc/$SENT_PID/stat")

# strace_create ID SPEC: create under strace -f with one injection; sets
# RC (exit status, or 128+sig), ERR (its stderr).  strace -f follows the init
# too and lingers while it lives, so wait for the main process's exit line.
strace_create() {
  local id=$1 spec=$2 log=$RWORK/strace.log errf=$RWORK/err
  rm -f "$log" "$errf"
  strace -f -q -o "$log" -e trace="execve,${spec%%:*}" -e inject="$spec" \
    "$HUTCH" --root "$RROOT" create --bundle "$B" "$id" </dev/null >/dev/null 2>"$errf" &
  local sp=$! main="" i line
  RC=""
  for i in $(seq 400); do
    if [ -z "$main" ] && [ -s "$log" ]; then main=$(awk 'NR==1{print $1}' "$log"); fi
    if [ -n "$main" ]; then
      line=$(grep -E "^$main \+\+\+ (exited with|killed by)" "$log" || true)
      if [ -n "$line" ]; then
        case $line in
        *"exited with"*) RC=$(sed 's/.*exited with \([0-9]*\).*/\1/' <<<"$line") ;;
        *) RC=137 ;;
        esac
        break
      fi
    fi
    kill -0 "$sp" 2>/dev/null || { wait "$sp"; RC=${RC:-$?}; break; }
    sleep 0.05
  done
  [ -n "$RC" ] || { RC=timeout; }
  # The init's output also lands in errf; keep only hutch's own lines.
  ERR=$(grep -a '^hutch' "$errf" || true)
  STRACE_PID=$sp
}

# after_fault ID WHAT: the outcome must be clean, then delete --force must
# leave nothing.
after_fault() {
  local id=$1 what=$2 ok=1
  if [ "$RC" = 0 ]; then
    # The fault was absorbed (an optional step, or a retry): the container
    # must then be fully usable.
    CREATE_OK=$((CREATE_OK + 1))
    local st
    local out
    out=$(h state "$id" 2>&1)
    st=$(jq -r .status <<<"$out" 2>/dev/null)
    [ "$st" = created ] || { fail "$what: create succeeded but state says: $out"; ok=0; }
  elif [ "$RC" = timeout ]; then
    fail "$what: create hung"; ok=0
  elif [ "$RC" != 137 ]; then
    local n
    n=$(printf '%s' "$ERR" | grep -c '' || true)
    if [ "$n" != 1 ] || [[ $ERR != "hutch: create $id: "* ]]; then
      fail "$what: exit $RC, expected one line 'hutch: create $id: ...', got: $ERR"; ok=0
    fi
    [ "$RC" = 1 ] || { fail "$what: exit status $RC, expected 1"; ok=0; }
  fi
  h delete --force "$id" >/dev/null 2>"$RWORK/del.err" || { fail "$what: delete --force failed: $(cat "$RWORK/del.err")"; ok=0; }
  # strace (and so every traced process) must be gone once the container is.
  local i
  for i in $(seq 100); do kill -0 "$STRACE_PID" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$STRACE_PID" 2>/dev/null; then
    fail "$what: a traced process outlived delete --force"; ok=0
    kill -9 "$STRACE_PID" 2>/dev/null
  fi
  wait "$STRACE_PID" 2>/dev/null
  local left
  left=$(leftovers "$id" "$B")
  [ -z "$left" ] || { fail "$what: left behind: $left"; ok=0; }
  [ -z "$left" ] && [ "$ok" = 1 ] || force_clean "$id"
  INJECTED=$((INJECTED + 1))
  if [ "$ok" = 1 ]; then SURVIVED=$((SURVIVED + 1)); pass "$what"; fi
}

# How many times does one create call each syscall?  (strace -c on a clean run.)
count_calls() {
  local id=hutch-test-rel-count-$$
  strace_create "$id" "getppid:error=EIO:when=1000000" >/dev/null
  h delete --force "$id" >/dev/null 2>&1
  wait "$STRACE_PID" 2>/dev/null
  strace -f -qq -c -o "$RWORK/counts" -e trace="$1" \
    "$HUTCH" --root "$RROOT" create --bundle "$B" "$id" </dev/null >/dev/null 2>&1 &
  local sp=$!
  local i
  for i in $(seq 200); do [ -f "$RROOT/$id/state.json" ] && break; sleep 0.05; done
  h delete --force "$id" >/dev/null 2>&1
  wait "$sp" 2>/dev/null
  awk -v s="$1" '$NF==s && $4 ~ /^[0-9]+$/ {print $4}' "$RWORK/counts"
}

# SYSCALL:ERRNO pairs: the issue's list (mount, mkdir, clone/clone3,
# cgroup writes, open/openat, rename) and the new mount API calls and the
# sync socket, since a fault there must be just as clean.
SPECS="mount:EPERM mkdir:ENOSPC mkdirat:ENOSPC clone3:EAGAIN clone:EAGAIN
  openat:EACCES openat2:ENOENT open_tree:EPERM move_mount:EINVAL mount_setattr:EPERM
  write:EIO rename:EXDEV pivot_root:EINVAL sethostname:EPERM mknodat:EPERM symlinkat:EROFS
  socketpair:EMFILE sendmsg:EPIPE recvmsg:ECONNRESET flock:ENOLCK fsopen:ENODEV fsmount:EINVAL
  umount2:EBUSY keyctl:ENOSYS prctl:EINVAL"
SPECS=${FAULT_SPECS:-$SPECS}
idx=0
for spec in $SPECS; do
  sc=${spec%%:*} e=${spec#*:}
  n=$(count_calls "$sc")
  n=${n:-0}
  [ "$n" -gt 0 ] || n=1 # clone: not called when clone3 works; inject once anyway
  max=${FAULT_MAX_N:-$n}
  [ "$n" -le "$max" ] || n=$max
  for when in $(seq 1 "$n"); do
    idx=$((idx + 1))
    id=hutch-test-rel-f$idx-$$
    strace_create "$id" "$sc:error=$e:when=$when"
    after_fault "$id" "inject $sc:error=$e:when=$when (of $n)"
  done
done
echo "faults: syscall faults injected=$INJECTED survived=$SURVIVED (create still succeeded: $CREATE_OK)"

# kill -9 at random points.
KILLS=${FAULT_KILLS:-25}
K_INJ=0 K_OK=0
rand_sleep() { sleep "0.0$(printf '%02d' $((RANDOM % 31)))"; }
kill_round() {
  local what=$1 id=$2 ok=1 left
  h delete --force "$id" >/dev/null 2>"$RWORK/del.err" || { fail "$what: delete --force failed: $(cat "$RWORK/del.err")"; ok=0; }
  left=$(leftovers "$id" "$B")
  [ -z "$left" ] || { fail "$what: left behind: $left"; ok=0; }
  [ "$ok" = 1 ] || force_clean "$id"
  K_INJ=$((K_INJ + 1))
  if [ "$ok" = 1 ]; then K_OK=$((K_OK + 1)); pass "$what"; fi
}
for r in $(seq "$KILLS"); do
  id=hutch-test-rel-kc$r-$$
  "$HUTCH" --root "$RROOT" create --bundle "$B" "$id" </dev/null >/dev/null 2>&1 &
  p=$!
  rand_sleep
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  kill_round "kill -9 create (round $r)" "$id"
done
for r in $(seq "$KILLS"); do
  id=hutch-test-rel-ks$r-$$
  h create --bundle "$B" "$id" </dev/null >/dev/null 2>&1 || { fail "create for start round $r"; continue; }
  "$HUTCH" --root "$RROOT" start "$id" </dev/null >/dev/null 2>&1 &
  p=$!
  rand_sleep
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  st=$(h state "$id" 2>/dev/null | jq -r .status)
  case $st in created | running) ;; *) fail "kill -9 start (round $r): status '$st'" ;; esac
  kill_round "kill -9 start (round $r)" "$id"
done
for r in $(seq "$KILLS"); do
  id=hutch-test-rel-ke$r-$$
  h run -d --bundle "$B" "$id" </dev/null >/dev/null 2>&1 || { fail "run -d for exec round $r"; continue; }
  "$HUTCH" --root "$RROOT" exec "$id" sleep 1000 </dev/null >/dev/null 2>&1 &
  p=$!
  rand_sleep
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  st=$(h state "$id" 2>/dev/null | jq -r .status)
  [ "$st" = running ] || fail "kill -9 exec (round $r): container status '$st'"
  kill_round "kill -9 exec (round $r)" "$id"
done
echo "faults: kill -9 injected=$K_INJ survived=$K_OK"

# The sentinel is unharmed: same pid, same start time, running, in its cgroup.
st=$(h state "$SENT" 2>/dev/null | jq -r '.status + " " + (.pid|tostring)')
now_start=$(awk '{print $22}' "/proc/$SENT_PID/stat" 2>/dev/null)
if [ "$st" = "running $SENT_PID" ] && [ "$now_start" = "$SENT_START" ] &&
  grep -q "$SENT" "/proc/$SENT_PID/cgroup"; then
  pass "sentinel unharmed"
else
  fail "sentinel harmed: state '$st', start $now_start (was $SENT_START)"
fi
h delete --force "$SENT" >/dev/null 2>&1
left=$(leftovers "$SENT" "$B")
[ -z "$left" ] && pass "sentinel deleted cleanly" || fail "sentinel leftovers: $left"
echo "faults: total injected=$((INJECTED + K_INJ)) survived=$((SURVIVED + K_OK))"
finish
