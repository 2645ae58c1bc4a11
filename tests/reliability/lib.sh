# Shared by the tests/reliability/*.sh scripts (bash; sourced).
#   HUTCH     the binary (default build-rel/hutch)
#   RROOT     a private --root for this script (made here, removed at exit)
#   RWORK     scratch dir (bundles, logs)
# Counters: pass NAME / fail NAME MESSAGE; finish prints "N passed, N failed"
# and returns non-zero on any failure.  Every container ID starts with
# "hutch-test-rel-" so nothing else on the host is ever touched.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HUTCH=${HUTCH:-$REPO/build-rel/hutch}
RWORK=$(mktemp -d /tmp/hutch-test-rel.XXXXXX)
RROOT=$RWORK/root
mkdir -p "$RROOT"
PASSED=0
FAILED=0
_rel_name=$(basename "$0" .sh)

h() { "$HUTCH" --root "$RROOT" "$@"; }

pass() { PASSED=$((PASSED + 1)); [ -z "${VERBOSE:-}" ] || echo "ok: $*"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "$_rel_name: FAIL: $*" >&2
}
# check COND-COMMAND... -- NAME: pass when the command succeeds.
check() {
  local name=${*: -1}
  if "${@:1:$#-1}"; then pass "$name"; else fail "$name"; fi
}

# make_bundle DIR [ARG...]: busybox bundle running ARGs (default: sleep 1000).
make_bundle() {
  local dir=$1
  shift
  local tpl=$RWORK/.template
  if [ ! -d "$tpl" ]; then
    "$REPO/contrib/mkbundle.sh" "$tpl" "$HUTCH" >/dev/null || { echo "mkbundle failed" >&2; exit 1; }
  fi
  mkdir -p "$dir"
  cp -a "$tpl/rootfs" "$dir/rootfs"
  local args
  if [ $# -gt 0 ]; then args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .); else args='["sleep","1000"]'; fi
  jq ".process.args = $args | .process.terminal = false" "$tpl/config.json" >"$dir/config.json"
}

# leftovers ID: print what is left of container ID (state dir, cgroup dirs,
# mounts naming it or its bundle, processes whose cmdline names it); empty = clean.
leftovers() {
  local id=$1 bundle=${2:-}
  [ -e "$RROOT/$id" ] && echo "state dir $RROOT/$id"
  find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null | sed 's/^/cgroup /'
  grep -F -- "$id" /proc/self/mountinfo | sed 's/^/mount /'
  [ -n "$bundle" ] && grep -F -- "$bundle/" /proc/self/mountinfo | sed 's/^/mount /'
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    if { tr "\0" " " <"$p/cmdline"; } 2>/dev/null | grep -qF -- " $id"; then
      echo "process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
    fi
  done
  return 0
}

# force_clean ID: delete --force, then make sure (kill a left init by the pid
# in state.json, rmdir its cgroups) so one failure does not cascade.
force_clean() {
  local id=$1 pid
  h delete --force "$id" >/dev/null 2>&1
  if [ -f "$RROOT/$id/state.json" ]; then
    pid=$(jq -r '.pid // 0' "$RROOT/$id/state.json" 2>/dev/null || echo 0)
    [ "${pid:-0}" -gt 1 ] && kill -9 "$pid" 2>/dev/null
  fi
  rm -rf "${RROOT:?}/$id"
  local d
  for d in $(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null | sort -r); do
    rmdir "$d" 2>/dev/null
  done
  return 0
}

_rel_cleanup() {
  local id
  for id in $(ls "$RROOT" 2>/dev/null); do force_clean "$id"; done
  grep -F "$RWORK" /proc/self/mountinfo >/dev/null 2>&1 && echo "$_rel_name: mounts left under $RWORK" >&2
  rm -rf "$RWORK" 2>/dev/null
}
trap _rel_cleanup EXIT

finish() {
  echo "$_rel_name: $PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}

# host_leftovers ERE [PATH...]: print what the host still holds of every
# container whose whole ID matches the extended regex ERE, or of the PATHs
# (bundles); empty = clean.  Stricter than `leftovers` and for many IDs at
# once:
#  - cgroup directories named like an ID at any depth of every mounted cgroup
#    hierarchy (each v1 controller, the cgroup2 one: /sys/fs/cgroup/unified on
#    a hybrid host);
#  - mount entries naming an ID or a PATH in this mount namespace and in PID
#    1's (when they differ);
#  - processes whose /proc/PID/cgroup or command line names an ID or a PATH;
#  - entries of the state root $RROOT named like an ID.
# A killed container's init stays a zombie until its parent (PID 1 after
# `run -d`) reaps it, which some init systems do only every few seconds: the
# process check is repeated for up to LEFTOVER_SETTLE (20) seconds and
# reports what is still there then, with its state and parent.
host_leftovers() {
  local ere=$1
  shift
  # An ID is delimited by characters an ID cannot contain.
  local word="(^|[^A-Za-z0-9_.+-])($ere)([^A-Za-z0-9_.+-]|$)"
  local mnt cg e
  while read -r mnt; do
    find "$mnt" -regextype posix-extended -type d -regex ".*/($ere)" 2>/dev/null | sed 's/^/cgroup /'
  done < <(awk '$0 ~ / - cgroup2? / { print $5 }' /proc/self/mountinfo | sort -u)
  local infos=(/proc/self/mountinfo)
  [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt 2>/dev/null)" ] || infos+=(/proc/1/mountinfo)
  local f p
  for f in "${infos[@]}"; do
    grep -E -- "$word" "$f" | sed "s|^|mount ($f) |"
    for p in "$@"; do grep -F -- "$p" "$f" | sed "s|^|mount ($f) |"; done
  done
  for e in "$RROOT"/*; do
    [[ -e $e && ${e##*/} =~ ^($ere)$ ]] && echo "state root entry $e"
  done
  local deadline=$((SECONDS + ${LEFTOVER_SETTLE:-20})) procs
  while :; do
    procs=$(_host_leftover_procs "$word" "$@")
    [ -z "$procs" ] || [ "$SECONDS" -ge "$deadline" ] && break
    sleep 0.5
  done
  [ -z "$procs" ] || printf '%s\n' "$procs"
  return 0
}

# _host_leftover_procs WORD-ERE [PATH...]: the processes host_leftovers
# reports (no fork per process: the scan must not find itself).
_host_leftover_procs() {
  local word=$1 d pid cg cmd stat state ppid p hit
  local -a argv
  shift
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    cg="" cmd="" stat=""
    IFS= read -r -d '' cg 2>/dev/null <"$d/cgroup"
    mapfile -d '' -t argv 2>/dev/null <"$d/cmdline" || continue
    cmd="${argv[*]}"
    hit=""
    if [[ $cg =~ $word || $cmd =~ $word ]]; then
      hit=1
    else
      for p in "$@"; do [[ $cg == *"$p"* || $cmd == *"$p"* ]] && hit=1; done
    fi
    [ -n "$hit" ] || continue
    IFS= read -r stat 2>/dev/null <"$d/stat" || continue # gone meanwhile
    read -r state ppid _ <<<"${stat##*) }"
    echo "process $pid (state $state, parent $ppid): ${cmd:-[no command line]}; cgroup ${cg//$'\n'/ }"
  done
}
