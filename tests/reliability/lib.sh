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
