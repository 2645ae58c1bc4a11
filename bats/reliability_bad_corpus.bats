#!/usr/bin/env bats
# Bad input corpus (issue #9): over 100 invalid bundles, IDs and flags, each
# through the CLI.  Every case: exit 1, one line "hutch...: ..." naming the
# problem, and nothing left behind (state dir, cgroup, mount, process).
# The invalid configs are the spec unit tests' (tests/data/configs/invalid/
# with expected.tsv), so the CLI must print the parser's exact message.

load helpers

# expect_fail TEXT CMD...: exit 1, exactly one line, containing TEXT.
expect_fail() {
  local text=$1
  shift
  if [ "$1" = hutch ]; then
    shift
    set -- "$HUTCH" --root "$ROOT" "$@"
  fi
  # Output to a file, not a pipe: if a case wrongly succeeds, the container's
  # init keeps the caller's stdout and `run` would wait for it.
  status=0
  timeout 20 "$@" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/out")
  mapfile -t lines <"$BATS_TEST_TMPDIR/out"
  # hutch's own exec failures exit 255, as runc's (issue 16 item 11)
  local want=1
  [ "${4:-}" != exec ] || want=255
  if [ "$status" != "$want" ] || [ "${#lines[@]}" != 1 ] || [[ $output != *"$text"* ]]; then
    fail "$* -> exit $status (expected $want), ${#lines[@]} lines, expected one line with '$text', got: $output"
  fi
}

# nothing_left: no state dir in $ROOT, no cgroup or process named after this test.
nothing_left() {
  [ -z "$(ls -A "$ROOT")" ] || fail "state root not empty: $(ls "$ROOT")"
  local cg
  cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "hutch-test-$$-${BATS_TEST_NUMBER}*" 2>/dev/null | head -1)
  [ -z "$cg" ] || fail "cgroup $cg left behind"
  ! grep -qF "$BUNDLE" /proc/self/mountinfo || fail "mount under $BUNDLE left behind"
  local p
  for p in /proc/[0-9]*; do
    if grep -qF "hutch-test-$$-${BATS_TEST_NUMBER}" "$p/cmdline" 2>/dev/null; then
      fail "process ${p#/proc/} left: $(tr '\0' ' ' <"$p/cmdline")"
    fi
  done
}

@test "corpus: every invalid config of tests/data/configs/invalid through create" {
  local dir=$REPO_ROOT/tests/data/configs/invalid n=0
  [ -f "$dir/expected.tsv" ]
  while IFS=$'\t' read -r file msg; do
    case $file in '#'* | '') continue ;; esac
    cp "$dir/$file" "$BUNDLE/config.json"
    id=$(cid "c$n")
    expect_fail "hutch: create $id: $msg" hutch create --bundle "$BUNDLE" "$id"
    n=$((n + 1))
  done <"$dir/expected.tsv"
  nothing_left
  echo "# configs tried: $n" >&3
  [ "$n" -ge 100 ]
}

@test "corpus: bundles that are not bundles" {
  local id b=$BATS_TEST_TMPDIR
  id=$(cid)
  # a directory named config.json
  mkdir -p "$b/dir/rootfs" "$b/dir/config.json"
  expect_fail "config.json" hutch create --bundle "$b/dir" "$id"
  # a fifo named config.json: an error, not a hang
  mkdir -p "$b/fifo/rootfs"
  mkfifo "$b/fifo/config.json"
  expect_fail "not a regular file" hutch create --bundle "$b/fifo" "$id"
  # /dev/zero as config.json (endless)
  mkdir -p "$b/dev/rootfs"
  ln -s /dev/zero "$b/dev/config.json"
  expect_fail "not a regular file" hutch create --bundle "$b/dev" "$id"
  # a bundle that is a file
  touch "$b/file"
  expect_fail "config.json" hutch create --bundle "$b/file" "$id"
  # non-UTF-8 text
  printf '{"ociVersion": "1.2.0", "root": {"path": "rootfs\xff\xfe"}, "process": {"args": ["sh"], "cwd": "/"}}' >"$BUNDLE/config.json"
  expect_fail "config.json" hutch create --bundle "$BUNDLE" "$id"
  # 100 MB config
  mkdir -p "$b/big/rootfs"
  head -c 100000000 /dev/zero | tr '\0' ' ' >"$b/big/config.json"
  expect_fail "too big" hutch create --bundle "$b/big" "$id"
  rm -f "$b/big/config.json"
  # deeply nested JSON
  python3 -c "print('{\"a\":' * 5000 + '1' + '}' * 5000)" >"$BUNDLE/config.json"
  expect_fail "maximum parsing depth" hutch create --bundle "$BUNDLE" "$id"
  # empty file, NUL bytes, a JSON string, a huge number
  : >"$BUNDLE/config.json"
  expect_fail "config.json" hutch create --bundle "$BUNDLE" "$id"
  printf '{\0}' >"$BUNDLE/config.json"
  expect_fail "config.json" hutch create --bundle "$BUNDLE" "$id"
  echo '"config"' >"$BUNDLE/config.json"
  expect_fail "expected a JSON object" hutch create --bundle "$BUNDLE" "$id"
  echo '1e999999' >"$BUNDLE/config.json"
  expect_fail "config.json" hutch create --bundle "$BUNDLE" "$id"
  nothing_left
}

@test "corpus: configs the runtime cannot honour" {
  local id orig
  id=$(cid)
  orig=$(jq '.process.terminal = false' "$BUNDLE/config.json")
  local -a edits=(
    '.root.path = "nosuch-rootfs"|nosuch-rootfs'
    '.root.path = "/nonexistent/hutch-test-rootfs"|hutch-test-rootfs'
    '.process.args = ["/bin/nosuch"]|/bin/nosuch'
    '.process.args = ["nosuch"]|nosuch'
    '.process.cwd = "relative"|cwd'
    '.linux.namespaces += [{"type": "pid"}]|pid'
    '.linux.namespaces += [{"type": "nosuchns"}]|nosuchns'
    '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/netns" else . end)|/nonexistent/netns'
    '.linux.resources.memory.limit = "a lot"|linux.resources.memory.limit'
    '.linux.resources.memory.limit = 1e30|config.json'
    '.linux.resources.pids.limit = true|linux.resources.pids.limit'
    '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 4294967296}]|config.json'
    '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/nonexistent/hutch-src", "options": ["bind"]}]|/nonexistent/hutch-src'
    '.process.rlimits = [{"type": "RLIMIT_NOPE", "soft": 1, "hard": 1}]|RLIMIT_NOPE'
    '.process.capabilities.bounding = ["CAP_NOPE"]|CAP_NOPE'
    '.process.user.uid = -1|process.user.uid'
    '.hooks.prestart = [{"path": "relative-hook"}]|relative-hook'
    '.linux.sysctl = {"kernel.nosuch": "1"}|kernel.nosuch'
    '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOPE"}|SCMP_ACT_NOPE'
    '.ociVersion = "2.0.0"|ociVersion'
    '.hostname = "x" | .linux.namespaces |= map(select(.type != "uts"))|hostname'
  )
  local e
  for e in "${edits[@]}"; do
    printf '%s' "$orig" | jq "${e%|*}" >"$BUNDLE/config.json"
    expect_fail "${e##*|}" hutch create --bundle "$BUNDLE" "$id"
  done
  nothing_left
}

@test "corpus: invalid container IDs on every command" {
  local long
  long=$(printf 'a%.0s' $(seq 1025))
  local -a ids=("" "." ".." "../x" "../../etc" "a/b" "/abs" "a b" "a:b" 'a;b' '$(id)' "a*" $'a\tb' $'a\nb' $'\xff\xfe' "ä" "$long")
  local id cmd n=0
  for id in "${ids[@]}"; do
    for cmd in create state start kill delete pause resume ps events exec update; do
      case $cmd in
      create) expect_fail "invalid container ID" hutch create --bundle "$BUNDLE" -- "$id" ;;
      exec) expect_fail "invalid container ID" hutch exec -- "$id" true ;;
      update) expect_fail "invalid container ID" hutch update --pids-limit 10 -- "$id" ;;
      *) expect_fail "invalid container ID" hutch "$cmd" -- "$id" ;;
      esac
      n=$((n + 1))
    done
  done
  # A valid but too long name for a cgroup/state dir (NAME_MAX is 255).
  expect_fail "hutch: create " hutch create --bundle "$BUNDLE" "hutch-test-$$-${BATS_TEST_NUMBER}-$(printf 'x%.0s' $(seq 300))"
  nothing_left
  echo "# ID cases: $n" >&3
}

@test "corpus: bad flags and arguments" {
  local id
  id=$(cid)
  update_config '.process.terminal = false'
  expect_fail "unknown option" hutch create --nosuch --bundle "$BUNDLE" "$id"
  expect_fail "create" hutch create --bundle
  expect_fail "create" hutch create --bundle "$BUNDLE"
  expect_fail "create" hutch create --bundle "$BUNDLE" "$id" extra
  expect_fail "pid-file" hutch create --bundle "$BUNDLE" --pid-file /nonexistent/dir/pid "$id"
  expect_fail "preserve-fds" hutch create --bundle "$BUNDLE" --preserve-fds abc "$id"
  expect_fail "preserve-fds" hutch create --bundle "$BUNDLE" --preserve-fds 100000 "$id"
  expect_fail "unknown option" hutch run --nosuch "$id"
  expect_fail "unknown option" hutch delete --nosuch "$id"
  expect_fail "unknown option" hutch state --nosuch "$id"
  expect_fail "unknown option" hutch kill --nosuch "$id"
  expect_fail "unknown signal" hutch kill "$id" NOSIG
  expect_fail "unknown signal" hutch kill "$id" 99999
  expect_fail "unknown signal" hutch kill "$id" SIGNOPE
  expect_fail "does not exist" hutch state "$id"
  expect_fail "does not exist" hutch start "$id"
  expect_fail "does not exist" hutch kill "$id" TERM
  expect_fail "does not exist" hutch delete "$id"
  expect_fail "does not exist" hutch exec "$id" true
  expect_fail "does not exist" hutch pause "$id"
  expect_fail "does not exist" hutch resume "$id"
  expect_fail "does not exist" hutch ps "$id"
  expect_fail "does not exist" hutch update --pids-limit 5 "$id"
  expect_fail "unknown command" hutch nosuchcommand
  expect_fail "unknown global option" hutch --nosuch-global list
  expect_fail "log-format" hutch --log-format xml list
  expect_fail "does not exist" hutch exec --process /nonexistent/process.json "$id"
  expect_fail "format" hutch list --format yaml
  expect_fail "format" hutch ps --format yaml "$id"
  nothing_left
}
