# Shared setup for hutch's bats tests.
#   load helpers            (in each .bats file)
# Gives: $HUTCH (the binary), $ROOT (a private --root), $BUNDLE (a busybox
# bundle made fresh for each test), hutch (runs $HUTCH --root $ROOT ...),
# cid (a unique container ID for this test), and a teardown that force-deletes
# every container left in $ROOT and removes what the test made.
#
# HUTCH_CGROUP_DRIVER=systemd runs the tests against hutch's systemd cgroup
# driver (tests/run-all.sh does so in the systemd VM): every hutch call gets
# --systemd-cgroup, a config without linux.cgroupsPath means
# "system.slice:hutch:ID" (the scope hutch-ID.scope), cg_leaf ID names that
# scope, and the checks for leftovers look for the unit too.  Tests that
# cannot apply to that driver call `skip_if_systemd_driver REASON`.

bats_load_library bats-support
bats_load_library bats-assert

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && while [ ! -f CMakeLists.txt ] && [ "$PWD" != / ]; do cd ..; done; pwd)
HUTCH=${HUTCH:-$REPO_ROOT/build/hutch}
export HUTCH

HUTCH_CGROUP_DRIVER=${HUTCH_CGROUP_DRIVER:-cgroupfs}
case $HUTCH_CGROUP_DRIVER in
  cgroupfs) HUTCH_DRIVER_OPTS=() ;;
  systemd) HUTCH_DRIVER_OPTS=(--systemd-cgroup) ;;
  *)
    echo "helpers.bash: HUTCH_CGROUP_DRIVER=$HUTCH_CGROUP_DRIVER: not cgroupfs or systemd" >&2
    exit 1
    ;;
esac

# hutch ARGS...: the binary with this test's root (and the driver's option).
hutch() {
  "$HUTCH" --root "$ROOT" "${HUTCH_DRIVER_OPTS[@]}" "$@"
}

# systemd_driver: true if the tests run against the systemd driver.
systemd_driver() {
  [ "$HUTCH_CGROUP_DRIVER" = systemd ]
}

# skip_if_systemd_driver REASON: the test cannot apply to --systemd-cgroup.
skip_if_systemd_driver() {
  if systemd_driver; then skip "systemd driver: $1"; fi
}

# cg_path ID: the cgroup of container ID (no linux.cgroupsPath), relative
# to the hierarchy's root: /ID with cgroupfs, the scope with systemd.
cg_path() {
  if systemd_driver; then echo "/system.slice/hutch-$1.scope"; else echo "/$1"; fi
}

# cg_leaf ID: the name of that cgroup's directory.
cg_leaf() {
  basename "$(cg_path "$1")"
}

# A unique container ID: hutch-test-<pid>-<test number>[-suffix].
cid() {
  echo "hutch-test-$$-${BATS_TEST_NUMBER}${1:+-$1}"
}

# Make a busybox rootfs once per run, then copy it per test (cheap).
_rootfs_template() {
  local t="$BATS_RUN_TMPDIR/rootfs-template"
  if [ ! -d "$t/rootfs" ]; then
    local tmp
    tmp=$(mktemp -d "$BATS_RUN_TMPDIR/tpl.XXXXXX")
    "$REPO_ROOT/contrib/mkbundle.sh" "$tmp" "$HUTCH" >/dev/null
    mv -T "$tmp" "$t" 2>/dev/null || rm -rf "$tmp"
  fi
  echo "$t"
}

# new_bundle [DIR]: a fresh busybox bundle with the default config.
new_bundle() {
  local dir=${1:-$BATS_TEST_TMPDIR/bundle}
  local t
  t=$(_rootfs_template)
  mkdir -p "$dir"
  cp -a "$t/rootfs" "$dir/rootfs"
  cp "$t/config.json" "$dir/config.json"
  echo "$dir"
}

# update_config 'JQ FILTER' [BUNDLE]: edit config.json in place with jq.
update_config() {
  local b=${2:-$BUNDLE}
  jq "$1" "$b/config.json" >"$b/config.json.tmp" && mv "$b/config.json.tmp" "$b/config.json"
}

# set_args ARG...: set process.args (and terminal false).
set_args() {
  local json
  json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  update_config ".process.args = $json | .process.terminal = false"
}

setup() {
  ROOT="$BATS_TEST_TMPDIR/root"
  mkdir -p "$ROOT"
  BUNDLE=$(new_bundle)
  export ROOT BUNDLE
}

# Kill and delete everything this test left in its root.
teardown() {
  if [ -d "$ROOT" ]; then
    local id
    for id in $(ls -A "$ROOT" 2>/dev/null); do
      "$HUTCH" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
      if [ -f "$ROOT/$id/state.json" ]; then
        local pid
        pid=$(jq -r '.pid // 0' "$ROOT/$id/state.json" 2>/dev/null || echo 0)
        [ "${pid:-0}" -gt 1 ] && kill -9 "$pid" 2>/dev/null || true
      fi
      rm -rf "${ROOT:?}/$id"
    done
  fi
  # Scopes and cgroups named after this test's containers, in every hierarchy.
  local d
  if systemd_driver; then
    for d in $(systemctl list-units --all --plain --no-legend "*hutch-test-$$-${BATS_TEST_NUMBER}*" 2>/dev/null | awk '{print $1}'); do
      systemctl kill -s KILL "$d" 2>/dev/null || true
      systemctl stop "$d" 2>/dev/null || true
      systemctl reset-failed "$d" 2>/dev/null || true
    done
  fi
  for d in $(find /sys/fs/cgroup -maxdepth 4 -type d -name "*hutch-test-$$-${BATS_TEST_NUMBER}*" 2>/dev/null | sort -r); do
    rmdir "$d" 2>/dev/null || true
  done
  if declare -F extra_teardown >/dev/null; then extra_teardown; fi
}

# assert_no_leftovers ID: nothing of container ID remains: no state dir, no
# cgroup directory (no systemd unit), no mount mentioning the bundle, no
# process.
assert_no_leftovers() {
  local id=$1
  [ ! -e "$ROOT/$id" ] || fail "state directory $ROOT/$id left behind"
  local cg
  cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$(cg_leaf "$id")" 2>/dev/null | head -1)
  [ -z "$cg" ] || fail "cgroup $cg left behind"
  if systemd_driver; then
    local st
    st=$(systemctl show -p ActiveState --value "$(cg_leaf "$id")" 2>&1)
    [ "$st" = inactive ] || fail "unit $(cg_leaf "$id") left behind ($st)"
  fi
  if grep -q "$BUNDLE" /proc/self/mountinfo; then
    fail "mount under $BUNDLE left behind"
  fi
}

# create_detached ID [CREATE OPTIONS...]: `hutch create` with the container's
# stdio sent to $BATS_TEST_TMPDIR/ID.out (the init keeps the caller's stdio,
# so bats' `run` would wait for it).  Returns create's exit status; its
# error message is in ID.out too.
create_detached() {
  local id=$1
  shift
  hutch create --bundle "$BUNDLE" "$@" "$id" >"$BATS_TEST_TMPDIR/$id.out" 2>&1 </dev/null
}

# container_output ID: what the container (and create) wrote (see create_detached).
container_output() {
  cat "$BATS_TEST_TMPDIR/$1.out"
}

# container_status ID / container_pid ID: fields of `hutch state ID`.
container_status() {
  hutch state "$1" | jq -r .status
}
container_pid() {
  hutch state "$1" | jq -r .pid
}

# wait_status ID STATUS: poll `hutch state` until it reports STATUS (fails
# after 20s, which only a broken runtime reaches).
wait_status() {
  local i
  for i in $(seq 200); do
    [ "$(container_status "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  fail "container $1 never reached status $2 (now: $(container_status "$1" 2>&1))"
}

# wait_test OP PATH STEP MSG: poll `test OP PATH` 200 times, STEP s apart.
wait_test() {
  local i
  for i in $(seq 200); do
    test "$1" "$2" && return 0
    sleep "$3"
  done
  fail "$4"
}

# wait_socket PATH: until the unix socket PATH exists (a console receiver
# such as recvtty listening); fails after 4 s.
wait_socket() {
  wait_test -S "$1" 0.02 "nothing listens on $1"
}

# wait_file PATH: until PATH exists (a container's readiness marker).
wait_file() {
  wait_test -e "$1" 0.1 "$1 never appeared"
}
