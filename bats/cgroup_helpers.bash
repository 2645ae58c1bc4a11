# Helpers for the cgroup tests (load helpers; load cgroup_helpers).

# cg_mode: unified, hybrid or legacy.
cg_mode() {
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    echo unified
  elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    echo hybrid
  else
    echo legacy
  fi
}

# The mount point of the v1 hierarchy that has controller $1 ("" if none).
cg_v1_mount() {
  awk -v c="$1" '$0 ~ / - cgroup / {
      n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' \
    /proc/self/mountinfo
}

# The unified mount point ("" if none).
cg_v2_mount() {
  awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo
}

# cg_is_v1 CTRL: the controller is on a v1 hierarchy.
cg_is_v1() {
  [ -n "$(cg_v1_mount "$1")" ]
}

# cg_has CTRL: the host has the controller (v1, or in the unified hierarchy).
cg_has() {
  cg_is_v1 "$1" && return 0
  local m
  m=$(cg_v2_mount)
  [ -n "$m" ] && grep -qw "$1" "$m/cgroup.controllers"
}

# init_pid ID
init_pid() {
  hutch state "$1" | jq -r .pid
}

# cg_dir CTRL PID: the directory of process PID's cgroup for controller CTRL
# ("" or "unified" for the v2 hierarchy), from /proc/PID/cgroup.
cg_dir() {
  local ctrl=$1 pid=$2 mnt path
  if [ -n "$ctrl" ] && [ "$ctrl" != unified ] && cg_is_v1 "$ctrl"; then
    mnt=$(cg_v1_mount "$ctrl")
    path=$(awk -F: -v c="$ctrl" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$pid/cgroup")
  else
    mnt=$(cg_v2_mount)
    path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
  fi
  echo "$mnt$path"
}

# cg_read CTRL FILE PID: the first line of a cgroup file of PID's cgroup.
cg_read() {
  head -n1 "$(cg_dir "$1" "$3")/$2"
}

# run_bg ID: run the bundle detached, sleeping.
run_sleeping() {
  set_args sleep 1000
  hutch run -d --bundle "$BUNDLE" "$1"
}

# assert_one_line_error: the command failed with status 1 and said one line.
assert_one_line_error() {
  assert_failure 1
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "expected one line, got: $output"
}

# No cgroup directory named like this test's containers anywhere.
assert_no_test_cgroups() {
  local left
  left=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "*hutch-test-$$-${BATS_TEST_NUMBER}*" 2>/dev/null | head -3)
  [ -z "$left" ] || fail "cgroup left behind: $left"
}
