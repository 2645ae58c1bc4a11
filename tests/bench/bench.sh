#!/bin/bash
# tests/bench/bench.sh [--rounds R] [--n N] [--out FILE] [--runtimes "hutch crun runc"] [--systemd]
#                      [--base HUTCH_BINARY]
#
# Measures hutch, crun and runc side by side on the same busybox bundle, in
# alternating order within one run, and prints a table with the ratios
# hutch/crun and hutch/runc (and writes it to FILE with --out: the project keeps
# the latest run in docs/BENCHMARKS-table.md; docs/BENCHMARKS.md explains it).
#   (a) `run` of /bin/true N times in a row (default namespaces; again without
#       a network namespace), ms per container; plus the no-runtime floor
#   (b) create + start + delete of one container, ms
#   (c) exec of /bin/true into a running container, ms per exec
#   (d) 50 containers created in parallel, then deleted, ms in all
#   (e) peak RSS of the runtime process for `run` (median of 9) and `exec`, KiB
#   (f) the smallest memory limit under which `run /bin/true` succeeds
#   (g) the size of the binary (hutch: a stripped copy, what
#       `cmake --install --strip` installs; crun and runc are stripped)
#   (h) `run` of /bin/true with podman's default seccomp profile (from
#       containers-common's /usr/share/containers/seccomp.json, converted to
#       the OCI form), ms/container; n/a when that file is missing
# --systemd: (a)-(c) with --systemd-cgroup, each container in a transient
#   scope (on a host with systemd as PID 1: tests/vm/run-in-systemd-vm.sh
#   "tests/bench/bench.sh --systemd"); the table's rows say "systemd".
# --base BIN: one more runtime, "base", a hutch binary built from another
#   commit, and a hutch/base column: a change checked before and after in one
#   run (e.g. `git worktree add /tmp/b main && cmake -S /tmp/b -B /tmp/b/build
#   -DHUTCH_TESTS=OFF && cmake --build /tmp/b/build`, then --base /tmp/b/build/hutch).
# crun 1.8.1 refuses this hybrid cgroup host, so the whole benchmark runs in
# a private mount namespace with an empty file bound over
# /sys/fs/cgroup/unified/cgroup.controllers (host untouched), the same for
# all three runtimes.  Needs root, hyperfine is not required.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ROUNDS=5
N=30
OUT=
RUNTIMES="hutch crun runc"
SYSTEMD=0
BASE=
HUTCH_BIN=${HUTCH:-$repo/build/hutch}
while [ $# -gt 0 ]; do
  case $1 in
  --rounds) ROUNDS=$2; shift 2 ;;
  --n) N=$2; shift 2 ;;
  --out) OUT=$2; shift 2 ;;
  --runtimes) RUNTIMES=$2; shift 2 ;;
  --systemd) SYSTEMD=1; shift ;;
  --base) BASE=$2; shift 2 ;;
  -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
  *) echo "bench.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

# Re-enter in a private mount namespace with the crun workaround applied.
if [ -z "${HUTCH_BENCH_INNER:-}" ]; then
  empty=$(mktemp /tmp/hutch-bench-empty.XXXXXX)
  export HUTCH_BENCH_INNER=1 HUTCH_BENCH_EMPTY=$empty
  args=(--rounds "$ROUNDS" --n "$N" --runtimes "$RUNTIMES")
  [ -n "$OUT" ] && args+=(--out "$OUT")
  [ "$SYSTEMD" = 1 ] && args+=(--systemd)
  [ -n "$BASE" ] && args+=(--base "$BASE")
  set +e
  unshare -m --propagation private "$0" "${args[@]}"
  rc=$?
  rm -f "$empty"
  exit $rc
fi
if [ -e /sys/fs/cgroup/unified/cgroup.controllers ]; then
  mount --bind "$HUTCH_BENCH_EMPTY" /sys/fs/cgroup/unified/cgroup.controllers
fi

work=$(mktemp -d /tmp/hutch-bench.XXXXXX)
cleanup() {
  for rt in $RUNTIMES; do
    for id in $(ls "$work/root-$rt" 2>/dev/null); do
      rt_cmd "$rt" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Measure what gets installed: a stripped binary.
if command -v strip >/dev/null; then
  cp "$HUTCH_BIN" "$work/hutch"
  strip "$work/hutch"
  HUTCH_BIN=$work/hutch
  if [ -n "$BASE" ]; then
    cp "$BASE" "$work/hutch-base"
    strip "$work/hutch-base"
    BASE=$work/hutch-base
  fi
fi
[ -n "$BASE" ] && RUNTIMES="$RUNTIMES base"

bin_of() {
  case $1 in
  hutch) echo "$HUTCH_BIN" ;;
  crun) command -v crun ;;
  runc) command -v runc ;;
  base) echo "$BASE" ;;
  esac
}
# Resolved once: a $(...) per call would add a bash fork (1-3 ms) to every
# timed command and hide the runtimes' own differences.
declare -A BIN
for rt in $RUNTIMES; do BIN[$rt]=$(bin_of "$rt"); done
GLOBAL=()
[ "$SYSTEMD" = 1 ] && GLOBAL=(--systemd-cgroup)
rt_cmd() {
  local rt=$1
  shift
  "${BIN[$rt]}" --root "$work/root-$rt" "${GLOBAL[@]}" "$@"
}

# One bundle for everyone: busybox rootfs, config from `runc spec`.
bundle=$work/bundle
mkdir -p "$bundle"
(cd "$bundle" && runc spec)
"$repo/contrib/mkbundle.sh" "$bundle" runc >/dev/null
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$bundle/config.json" >"$bundle/c.json"
mv "$bundle/c.json" "$bundle/config.json"
nonet=$work/bundle-nonet
mkdir -p "$nonet"
jq --arg r "$bundle/rootfs" '.root.path = $r | .linux.namespaces |= map(select(.type != "network"))' "$bundle/config.json" >"$nonet/config.json"
sleeper=$work/bundle-sleep
mkdir -p "$sleeper"
jq --arg r "$bundle/rootfs" '.root.path = $r | .process.args = ["sleep", "1000"]' "$bundle/config.json" >"$sleeper/config.json"

secc=
if [ -r /usr/share/containers/seccomp.json ]; then
  secc=$work/bundle-seccomp
  mkdir -p "$secc"
  # containers-common's (docker-style) profile as podman hands it to the
  # runtime for a container with the default capabilities on amd64.
  jq -c '{defaultAction, defaultErrnoRet, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls: [.syscalls[] | select((.includes.arches // ["amd64"]) | index("amd64"))
      | select((.includes.caps // []) - ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] | length == 0)
      | {names, action} + (if .args then {args} else {} end) + (if .errnoRet then {errnoRet} else {} end)]}' \
    /usr/share/containers/seccomp.json >"$work/seccomp.json"
  jq --arg r "$bundle/rootfs" --slurpfile p "$work/seccomp.json" '.root.path = $r | .linux.seccomp = $p[0]' \
    "$bundle/config.json" >"$secc/config.json"
fi

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# (a) N runs, ms per container
bench_run() {
  local rt=$1 b=$2 t0 t1 i
  t0=$(now_ns)
  for ((i = 0; i < N; i++)); do
    rt_cmd "$rt" run --bundle "$b" "b-$rt-$i" >/dev/null 2>&1 || return 1
  done
  t1=$(now_ns)
  echo "scale=3; ($t1 - $t0) / 1000000 / $N" | bc
}
bench_floor() {
  local t0 t1 i
  t0=$(now_ns)
  for ((i = 0; i < N; i++)); do
    unshare -fmpiun chroot "$bundle/rootfs" /bin/true
  done
  t1=$(now_ns)
  echo "scale=3; ($t1 - $t0) / 1000000 / $N" | bc
}
# (b) create + start + delete of one container
bench_lifecycle() {
  local rt=$1 t0 t1
  t0=$(now_ns)
  rt_cmd "$rt" create --bundle "$sleeper" "l-$rt" >/dev/null 2>&1 || return 1
  rt_cmd "$rt" start "l-$rt" >/dev/null 2>&1 || return 1
  rt_cmd "$rt" delete --force "l-$rt" >/dev/null 2>&1 || return 1
  t1=$(now_ns)
  echo "scale=3; ($t1 - $t0) / 1000000" | bc
}
# (c) N execs of /bin/true into one running container, ms per exec
bench_exec() {
  local rt=$1 t0 t1 i
  rt_cmd "$rt" run -d --bundle "$sleeper" "e-$rt" >/dev/null 2>&1 </dev/null || return 1
  t0=$(now_ns)
  for ((i = 0; i < N; i++)); do
    if ! rt_cmd "$rt" exec "e-$rt" /bin/true >/dev/null 2>&1; then
      rt_cmd "$rt" delete --force "e-$rt" >/dev/null 2>&1
      return 1
    fi
  done
  t1=$(now_ns)
  rt_cmd "$rt" delete --force "e-$rt" >/dev/null 2>&1
  echo "scale=3; ($t1 - $t0) / 1000000 / $N" | bc
}
# (d) 50 parallel creates, then 50 deletes, ms in all
bench_parallel() {
  local rt=$1 t0 t1 i fail=0
  t0=$(now_ns)
  for ((i = 0; i < 50; i++)); do
    rt_cmd "$rt" create --bundle "$sleeper" "p-$rt-$i" >/dev/null 2>&1 </dev/null &
  done
  wait || true
  for ((i = 0; i < 50; i++)); do
    rt_cmd "$rt" delete --force "p-$rt-$i" >/dev/null 2>&1 || fail=1
  done
  t1=$(now_ns)
  [ $fail = 0 ] || return 1
  echo "scale=3; ($t1 - $t0) / 1000000" | bc
}
# (e) peak RSS (KiB) of the runtime process.  `run`: the median of 9 runs
# per round (a static binary's resident pages depend on which 64 KiB
# fault-around windows the run touches, and on which of hutch and its init
# peaks: one sample moves by 100 KiB from run to run).
rss_run() {
  local rt=$1 i
  : >"$work/rss-all"
  for ((i = 0; i < 9; i++)); do
    /usr/bin/time -o "$work/rss" -f '%M' "$(bin_of "$rt")" --root "$work/root-$rt" run --bundle "$bundle" "m-$rt" >/dev/null 2>&1 || return 1
    tail -1 "$work/rss" >>"$work/rss-all"
  done
  sort -n "$work/rss-all" | sed -n 5p
}
rss_exec() {
  local rt=$1
  rt_cmd "$rt" run -d --bundle "$sleeper" "x-$rt" >/dev/null 2>&1 </dev/null || return 1
  if ! /usr/bin/time -o "$work/rss" -f '%M' "$(bin_of "$rt")" --root "$work/root-$rt" exec "x-$rt" /bin/true >/dev/null 2>&1; then
    rt_cmd "$rt" delete --force "x-$rt" >/dev/null 2>&1
    return 1
  fi
  rt_cmd "$rt" delete --force "x-$rt" >/dev/null 2>&1
  tail -1 "$work/rss"
}
# (f) smallest memory limit (KiB) in a ladder under which run /bin/true works
# (in at least 2 of 3 tries: near the limit a run fails now and then, for
# every runtime, as the kernel charges memory in per-cpu batches)
min_memory() {
  local rt=$1 kib b=$work/bundle-mem-$1 ok=nan try good
  mkdir -p "$b"
  for kib in 8192 4096 3072 2048 1536 1024 768 512 384 256 192 128 64; do
    jq --arg r "$bundle/rootfs" ".root.path = \$r | .linux.resources.memory = {\"limit\": $((kib * 1024))}" "$bundle/config.json" >"$b/config.json"
    good=0
    for try in 1 2 3; do
      if rt_cmd "$rt" run --bundle "$b" "mem-$rt-$kib-$try" >/dev/null 2>&1; then
        good=$((good + 1))
      else
        rt_cmd "$rt" delete --force "mem-$rt-$kib-$try" >/dev/null 2>&1 || true
      fi
      [ "$good" -ge 2 ] && break
    done
    [ "$good" -ge 2 ] || break
    ok=$kib
  done
  echo "$ok"
}

declare -A RES
add() { RES[$1]="${RES[$1]:-} $2"; }

for ((r = 0; r < ROUNDS; r++)); do
  order=$RUNTIMES
  # alternate the order each round
  if ((r % 2)); then order=$(echo "$RUNTIMES" | tr ' ' '\n' | tac | tr '\n' ' '); fi
  add floor "$(bench_floor)"
  for rt in $order; do
    add "a-$rt" "$(bench_run "$rt" "$bundle" || echo nan)"
    add "a2-$rt" "$(bench_run "$rt" "$nonet" || echo nan)"
    if [ -n "$secc" ] && [ "$SYSTEMD" = 0 ]; then add "h-$rt" "$(bench_run "$rt" "$secc" || echo nan)"; fi
    add "b-$rt" "$(bench_lifecycle "$rt" || echo nan)"
    add "c-$rt" "$(bench_exec "$rt" || echo nan)"
  done
done
for rt in $RUNTIMES; do
  [ "$SYSTEMD" = 1 ] && break # only (a)-(c) with --systemd
  add "d-$rt" "$(bench_parallel "$rt" || echo nan)"
  add "e1-$rt" "$(rss_run "$rt" || echo nan)"
  add "e2-$rt" "$(rss_exec "$rt" || echo nan)"
  add "f-$rt" "$(min_memory "$rt")"
  add "g-$rt" "$(stat -Lc %s "$(bin_of "$rt")")"
done

med() { echo "${RES[$1]:-}" | tr ' ' '\n' | { grep -v -e '^$' -e nan || true; } | median; }
ratio() {
  local a=$1 b=$2
  if [[ $a == nan || $b == nan || -z $a || -z $b ]]; then echo "n/a"; else echo "scale=2; $a / $b" | bc | sed 's/^\./0./'; fi
}

table() {
  local key label h c u b rows bh= bs=
  if [ -n "$BASE" ]; then
    bh=" base | hutch/base |"
    bs="---|---|"
  fi
  echo "| measure | hutch | crun | runc | hutch/crun | hutch/runc |$bh"
  echo "|---|---|---|---|---|---|$bs"
  rows=("a:(a) run /bin/true, ms/container" "a2:(a) same, no network namespace, ms" \
    "b:(b) create+start+delete, ms" "c:(c) exec /bin/true, ms/exec" \
    "d:(d) 50 parallel create + delete, ms" "e1:(e) peak RSS of run, KiB" \
    "e2:(e) peak RSS of exec, KiB" "f:(f) smallest memory limit, KiB" "g:(g) binary size, bytes" \
    "h:(h) run /bin/true with podman's seccomp profile, ms")
  [ "$SYSTEMD" = 1 ] && rows=("${rows[@]:0:4}")
  for pair in "${rows[@]}"; do
    key=${pair%%:*}
    label=${pair#*:}
    [ "$SYSTEMD" = 1 ] && label="systemd: $label"
    h=$(med "$key-hutch")
    c=$(med "$key-crun")
    u=$(med "$key-runc")
    b=
    if [ -n "$BASE" ]; then
      b=$(med "$key-base")
      b=" ${b:-n/a} | $(ratio "$h" "$b") |"
    fi
    echo "| $label | ${h:-n/a} | ${c:-n/a} | ${u:-n/a} | $(ratio "$h" "$c") | $(ratio "$h" "$u") |$b"
  done
  echo "| floor: unshare -fmpiun + chroot + /bin/true, ms | $(med floor) | | | | |"
}

{
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r)"
  echo "Versions: hutch $("$HUTCH_BIN" --version | head -1 | awk '{print $3}') ($("$HUTCH_BIN" --version | sed -n 2p)), crun $(crun --version | head -1 | awk '{print $3}'), runc $(runc --version | head -1 | awk '{print $3}')"
  echo "Medians of $ROUNDS alternating rounds, N=$N; ratios < 1 mean hutch is faster/smaller. n/a: not measurable (failed or not implemented)."
  echo
  table
} | tee "$work/table.md"

if [ -n "$OUT" ]; then
  cp "$work/table.md" "$OUT"
fi
