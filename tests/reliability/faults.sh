#!/bin/bash
# Fault injection without test hooks.
#  1. strace -f -e inject=SYSCALL:error=E:when=N makes the Nth call of a
#     syscall fail during `create`, for N = 1, 2, ... (strace counts per
#     process: the parent's and the init's Nth call alike);
#  2. kill -9 of `create`, `start` and `exec` at a random point while they
#     run (a random delay within the command's measured duration).
# After each: a failed command printed one line "hutch: create ID: ..." and
# exited 1 (or it died); a create that succeeded despite the fault made a
# container that is "created"; `delete --force` leaves no state dir, cgroup,
# mount or process; and a sentinel container running throughout is
# unharmed at the end.
# Env: FAULT_MAX_N (cap on N per syscall, default: every call seen),
#      FAULT_KILLS (kill -9 rounds per command, default 25),
#      FAULT_SPECS (the syscall list below),
#      FAULT_CREATE_TIMEOUT (seconds before a create counts as hung, 20).
. "$(dirname "$0")/lib.sh"

INJECTED=0 SURVIVED=0 CREATE_OK=0
B=$RWORK/bundle
make_bundle "$B"

# usecs: US = now in microseconds; nap_us N: wait N microseconds; neither
# forks (nap_us: a read that times out on a fifo nobody writes to).
usecs() { US=${EPOCHREALTIME/./} US=$((10#$US)); }
nap_us() {
  local t
  printf -v t '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000))
  [ "$1" -le 0 ] || read -r -t "$t" -u "$NAPFD" || true
}
mkfifo "$RWORK/nap" && exec {NAPFD}<>"$RWORK/nap"

# Sentinel: run -d, record its pid and start time.
SENT=hutch-test-rel-sentinel-$$
h run -d --bundle "$B" "$SENT" </dev/null >/dev/null 2>&1 || { fail "sentinel did not start"; finish; exit; }
SENT_PID=$(h state "$SENT" | jq -r .pid)
SENT_START=$(awk '{print $22}' "/proc/$SENT_PID/stat")

# strace_create ID TRACE [INJECT...]: `create` under strace -f tracing the
# syscalls TRACE (comma-separated), with -e inject=INJECT for each INJECT.
# Sets RC (create's exit status, 128+sig if killed, or "timeout"), ERR (its
# "hutch..." stderr lines), MAIN (its pid), STRACE_PID.
# strace -f follows the init too and lingers while it lives (a created init
# waits on start.sock), so strace's own exit says nothing: create's exit
# is the "+++ exited with N +++" line strace prints for create's pid (the
# first line's: the execve strace runs it with).  Fields, not a fixed
# spacing: strace pads pids to 5 columns ("2796  +++", "30514 +++").
strace_create() {
  local id=$1 trace=$2 log=$RWORK/strace.log errf=$RWORK/err spec
  shift 2
  local -a inj=()
  for spec; do inj+=(-e "inject=$spec"); done
  rm -f "$log" "$errf"
  strace -f -q -o "$log" -e trace="execve,$trace" "${inj[@]}" \
    "$HUTCH" --root "$RROOT" create --bundle "$B" "$id" </dev/null >/dev/null 2>"$errf" &
  STRACE_PID=$!
  MAIN="" RC=timeout
  local line gone="" deadline=$((SECONDS + ${FAULT_CREATE_TIMEOUT:-20}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ -n "$MAIN" ] || MAIN=$(awk 'NR == 1 && $2 ~ /^execve\(/ { print $1 }' "$log" 2>/dev/null)
    if [ -n "$MAIN" ]; then
      line=$(awk -v p="$MAIN" '$1 == p && $2 == "+++" { print; exit }' "$log")
      case $line in
      *"+++ exited with "*) RC=$(awk '{ print $5 }' <<<"$line"); break ;;
      *"+++ killed by "*) RC=$((128 + $(kill -l "$(awk '{ print $5 }' <<<"$line")"))); break ;;
      esac
    fi
    if [ -n "$gone" ]; then
      # strace is gone (it has written all it will) without create's end:
      # strace itself failed.
      wait "$STRACE_PID"
      RC="strace exited $? without create's exit line ($(head -c 300 "$errf"))"
      break
    fi
    # Gone: look at the log once more before concluding anything.
    kill -0 "$STRACE_PID" 2>/dev/null || { gone=1; continue; }
    nap_us 20000
  done
  # The init's output also lands in errf; keep only hutch's own lines.
  ERR=$(grep -a '^hutch' "$errf" || true)
}

# strace_gone: wait up to 5 s for strace to exit (it does once every
# traced process has); false if it is still there.
strace_gone() {
  local _
  for _ in $(seq 250); do
    kill -0 "$STRACE_PID" 2>/dev/null || return 0
    nap_us 20000
  done
  return 1
}

# injected SYSCALL: how many SYSCALL calls strace made fail in the last run
# (an interrupted call's line is "PID <... SYSCALL resumed>...").
injected() { grep -Ec "^[0-9]+ +(<\.\.\. )?$1[( ].*\(INJECTED\)\$" "$RWORK/strace.log" || true; }

# after_fault ID WHAT REACHED: the outcome must be clean, then delete
# --force must leave nothing.  REACHED: how many calls strace made fail.
after_fault() {
  local id=$1 what=$2 reached=$3 ok=1
  # Nothing failed: the case would test nothing (the call count said the
  # Nth call happens).
  [ "$reached" -gt 0 ] || { fail "$what: strace made no call fail"; ok=0; }
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
    fail "$what: create (pid $MAIN) did not exit within ${FAULT_CREATE_TIMEOUT:-20} s"; ok=0
    # It holds the container's lock: delete would wait for it forever.
    [ -z "$MAIN" ] || kill -9 "$MAIN" 2>/dev/null
  elif [[ $RC != [0-9]* ]]; then
    fail "$what: $RC"; ok=0
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
  if ! strace_gone; then
    fail "$what: a traced process outlived delete --force"; ok=0
    kill -9 "$STRACE_PID" 2>/dev/null
  fi
  wait "$STRACE_PID" 2>/dev/null
  local left
  left=$(leftovers "$id" "$B")
  [ -z "$left" ] || { fail "$what: left behind: $left"; ok=0; }
  [ -z "$left" ] && [ "$ok" = 1 ] || force_clean "$id"
  [ "$reached" = 0 ] || INJECTED=$((INJECTED + 1))
  if [ "$ok" = 1 ]; then SURVIVED=$((SURVIVED + 1)); pass "$what"; fi
}

# count_calls SYSCALL TRACE [INJECT...]: how many times the busiest process
# of one create (parent or init) calls SYSCALL.  strace counts `when` per
# process, so that is how many distinct faults when=1..N can inject.
count_calls() {
  local sc=$1 trace=$2 id=hutch-test-rel-count-$$
  shift 2
  strace_create "$id" "$trace" "$@"
  [ "$RC" = 0 ] || fail "counting $sc calls: create failed ($RC): $ERR"
  h delete --force "$id" >/dev/null 2>&1
  strace_gone
  wait "$STRACE_PID" 2>/dev/null
  awk -v re="^${sc}[(]" '$2 ~ re { n[$1]++ }
    END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' "$RWORK/strace.log"
}

# SYSCALL:ERRNO[:WHEN][+PRE...]: the issue's list (mount, mkdir, clone/clone3,
# cgroup writes, open/openat, rename) and the new mount API calls and the
# sync socket, since a fault there must be just as clean.  Without WHEN, the
# 1st, 2nd, ... call fails in turn (up to FAULT_MAX_N); WHEN is strace's
# (1+: every call).  PRE: an injection applied throughout (clone3:ENOSYS
# makes create use clone, as on kernels before 5.3).
SPECS="mount:EPERM mkdir:ENOSPC mkdirat:ENOSPC clone3:EAGAIN clone3:EAGAIN:1+
  clone:EAGAIN+clone3:ENOSYS
  openat:EACCES openat2:ENOENT open_tree:EPERM move_mount:EINVAL mount_setattr:EPERM
  write:EIO renameat:EXDEV pivot_root:EINVAL sethostname:EPERM mknodat:EPERM symlinkat:EROFS
  socketpair:EMFILE sendmsg:EPIPE recvmsg:ECONNRESET flock:ENOLCK fsopen:ENODEV fsmount:EINVAL
  umount2:EBUSY keyctl:ENOSYS prctl:EINVAL"
SPECS=${FAULT_SPECS:-$SPECS}
idx=0
for spec in $SPECS; do
  main=${spec%%+*} pre=() trace=${spec%%:*}
  IFS=: read -r sc e when <<<"$main"
  if [ "$main" != "$spec" ]; then
    for p in $(tr + ' ' <<<"${spec#*+}"); do
      IFS=: read -r psc pe <<<"$p"
      pre+=("$psc:error=$pe")
      trace+=",$psc"
    done
  fi
  if [ -n "$when" ]; then
    whens=$when n=$when
  else
    n=$(count_calls "$sc" "$trace" "${pre[@]}")
    n=${n:-0}
    if [ "$n" = 0 ]; then
      fail "inject $spec: create never calls $sc (remove it from the list?)"
      continue
    fi
    max=${FAULT_MAX_N:-$n}
    [ "$n" -le "$max" ] || n=$max
    whens=$(seq 1 "$n")
  fi
  for when in $whens; do
    idx=$((idx + 1))
    id=hutch-test-rel-f$idx-$$
    what="inject $sc:error=$e:when=$when (of $n)${pre:+ with ${pre[*]}}"
    strace_create "$id" "$trace" "$sc:error=$e:when=$when" "${pre[@]}"
    after_fault "$id" "$what" "$(injected "$sc")"
  done
done
echo "faults: syscall faults injected=$INJECTED survived=$SURVIVED (create still succeeded: $CREATE_OK)"

# kill -9 at random points.  A create takes a few ms: a random delay is drawn
# from [0, 1.2 x the command's measured duration] (a fork-free wait), and a
# round counts only when the kill hit the command while it ran (it died of
# SIGKILL); a command that finished first is tried again with a new delay
# (and the range shrinks by a tenth, so that rounds keep hitting on a slow
# or loaded machine).
KILLS=${FAULT_KILLS:-25}
K_INJ=0 K_OK=0 K_MISSED=0
# duration CMD...: the command's wall time in microseconds (best of 3).
duration() {
  local best="" t0 d
  for _ in 1 2 3; do
    usecs
    t0=$US
    "$@" </dev/null >/dev/null 2>&1
    usecs
    d=$((US - t0))
    [ -n "$best" ] && [ "$best" -le "$d" ] || best=$d
    h delete --force "$DUR_ID" >/dev/null 2>&1
    [ -z "${DUR_SETUP:-}" ] || $DUR_SETUP
  done
  echo "$best"
}
# kill_at_random MAX_US CMD...: run CMD, kill -9 it after a random delay;
# returns 0 when the kill hit it while it ran.
kill_at_random() {
  local max=$1
  shift
  "$@" </dev/null >/dev/null 2>&1 &
  local p=$!
  nap_us $(((RANDOM * 32768 + RANDOM) % (max + 1)))
  kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  [ $? = 137 ]
}
kill_round() {
  local what=$1 id=$2 ok=1 left
  h delete --force "$id" >/dev/null 2>"$RWORK/del.err" || { fail "$what: delete --force failed: $(cat "$RWORK/del.err")"; ok=0; }
  left=$(leftovers "$id" "$B")
  [ -z "$left" ] || { fail "$what: left behind: $left"; ok=0; }
  [ "$ok" = 1 ] || force_clean "$id"
  K_INJ=$((K_INJ + 1))
  if [ "$ok" = 1 ]; then K_OK=$((K_OK + 1)); pass "$what"; fi
}
# kill_rounds CMD SETUP: KILLS rounds of kill -9 `hutch CMD` (SETUP ID makes
# what it needs first; CHECK ID WHAT checks the container afterwards).
kill_rounds() {
  local cmd=$1 setup=$2 check=$3 r=0 tries=0 id max max0
  local -a argv
  DUR_ID=hutch-test-rel-kd-$$ DUR_SETUP="$setup $DUR_ID"
  $setup "$DUR_ID" || { fail "kill -9 $cmd: setup failed"; return; }
  read -ra argv <<<"$(cmd_argv "$cmd" "$DUR_ID" measure)"
  max=$(duration "$HUTCH" --root "$RROOT" "${argv[@]}")
  max=$((max * 12 / 10))
  max0=$max
  h delete --force "$DUR_ID" >/dev/null 2>&1
  while [ "$r" -lt "$KILLS" ] && [ "$tries" -lt $((KILLS * 4)) ]; do
    tries=$((tries + 1))
    id=hutch-test-rel-k${cmd:0:1}$tries-$$
    $setup "$id" || { fail "kill -9 $cmd (try $tries): setup failed"; continue; }
    read -ra argv <<<"$(cmd_argv "$cmd" "$id")"
    if ! kill_at_random "$max" "$HUTCH" --root "$RROOT" "${argv[@]}"; then
      K_MISSED=$((K_MISSED + 1)) max=$((max * 9 / 10))
      force_clean "$id"
      continue
    fi
    r=$((r + 1))
    $check "$id" "kill -9 $cmd (round $r)"
    kill_round "kill -9 $cmd (round $r)" "$id"
  done
  [ "$r" = "$KILLS" ] || fail "kill -9 $cmd: only $r of $KILLS kills hit it in $tries tries (up to $max us)"
  echo "faults: kill -9 $cmd: $r rounds, random delay 0-$max0 us (0-$max at the end), $((tries - r)) finished first" >&2
}
# cmd_argv CMD ID [measure]: hutch's arguments; an exec runs `sleep 1000`,
# whose setup is timed with `true`.
cmd_argv() {
  case $1 in
  create) echo "create --bundle $B $2" ;;
  start) echo "start $2" ;;
  exec) if [ -n "${3:-}" ]; then echo "exec $2 true"; else echo "exec $2 sleep 1000"; fi ;;
  esac
}
no_setup() { :; }
setup_created() { h create --bundle "$B" "$1" </dev/null >/dev/null 2>&1; }
setup_running() { h run -d --bundle "$B" "$1" </dev/null >/dev/null 2>&1; }
check_none() { :; }
check_start() {
  local st
  st=$(h state "$1" 2>/dev/null | jq -r .status)
  case $st in created | running) ;; *) fail "$2: status '$st'" ;; esac
}
check_exec() {
  local st
  st=$(h state "$1" 2>/dev/null | jq -r .status)
  [ "$st" = running ] || fail "$2: container status '$st'"
}
kill_rounds create no_setup check_none
kill_rounds start setup_created check_start
kill_rounds exec setup_running check_exec
echo "faults: kill -9 injected=$K_INJ survived=$K_OK (finished before the kill, tried again: $K_MISSED)"

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
