#!/usr/bin/env bats
# contrib/: the man page, the bash completion and the engine snippets stay in
# step with the binary, and `cmake --install` installs them.

load clients_helpers

# help_commands: the commands `hutch help` lists.
help_commands() {
  "$HUTCH" help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "Commands:" { print $1 }'
}

# help_flags CMD: the long and short flags `hutch CMD --help` lists.
help_flags() {
  "$HUTCH" "$1" --help | grep -oE '(^|[ ,])--?[a-zA-Z][a-z0-9-]*' | sed 's/^[ ,]//' | sort -u
}

global_flags() {
  "$HUTCH" help | sed -n '/^Global options:/,$p' | grep -oE '(^|[ ,])--?[a-zA-Z][a-z0-9-]*' |
    sed 's/^[ ,]//' | sort -u
}

setup() {
  [ -x "$HUTCH" ] || skip "hutch not built at $HUTCH"
}

@test "contrib: the man page renders without warnings and documents every command and flag" {
  command -v groff >/dev/null || skip "groff not installed"
  local man="$REPO_ROOT/contrib/man/hutch.8" cmd flag missing=""
  run groff -mandoc -Tutf8 -ww -z "$man"
  assert_success
  assert_output ""
  for cmd in $(help_commands); do
    grep -qE "^\.It Cm $cmd( |\$)|Cm $cmd ,|, Cm $cmd\$" "$man" || missing="$missing command:$cmd"
    [ "$cmd" = help ] && continue
    for flag in $(help_flags "$cmd"); do
      # .It Fl -bundle / Fl b: mdoc's Fl adds the first dash.
      grep -qE "Fl ${flag#-}( |\$)" "$man" || missing="$missing $cmd:$flag"
    done
  done
  for flag in $(global_flags); do
    grep -qE "Fl ${flag#-}( |\$)" "$man" || missing="$missing global:$flag"
  done
  assert_equal "${missing:-none}" none
}

@test "contrib: bash completion knows every command and flag" {
  # shellcheck source=/dev/null
  source "$REPO_ROOT/contrib/completion/hutch.bash"
  local cmd flag missing=""
  for cmd in $(help_commands); do
    [[ " $(echo $_hutch_commands) " == *" $cmd "* ]] || missing="$missing command:$cmd"
    [ "$cmd" = help ] && continue
    for flag in $(help_flags "$cmd"); do
      [[ " $(echo $(_hutch_opts "$cmd")) " == *" $flag "* ]] || missing="$missing $cmd:$flag"
    done
  done
  for flag in $(global_flags); do
    [[ " $(echo $_hutch_global_opts) " == *" $flag "* ]] || missing="$missing global:$flag"
  done
  assert_equal "${missing:-none}" none
}

# complete WORD...: what the completion offers for the last WORD.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _hutch
  printf '%s\n' "${COMPREPLY[@]}"
}

@test "contrib: bash completion completes commands, options, values, signals and IDs" {
  source "$REPO_ROOT/contrib/completion/hutch.bash"
  run complete_words hutch pa
  assert_output pause
  run complete_words hutch --root /x --log-format j
  assert_output json
  run complete_words hutch kill --a
  assert_output --all
  run complete_words hutch exec --user 0 --tt
  assert_output --tty
  run complete_words hutch list --format ""
  assert_line table
  assert_line json
  run complete_words hutch kill some-id SIGK
  assert_output SIGKILL
  run complete_words hutch help upd
  assert_output update

  [ "$(id -u)" = 0 ] || skip "creating a container needs root"
  local root="$BATS_TEST_TMPDIR/root" bundle="$BATS_TEST_TMPDIR/bundle"
  mkdir -p "$root"
  "$REPO_ROOT/contrib/mkbundle.sh" "$bundle" "$HUTCH" >/dev/null
  jq '.process.terminal = false | .process.args = ["sleep", "1000"]' "$bundle/config.json" >"$bundle/c.json"
  mv "$bundle/c.json" "$bundle/config.json"
  "$HUTCH" --root "$root" create --bundle "$bundle" hutch-test-compl-$$ </dev/null >/dev/null 2>&1
  # The completion runs COMP_WORDS[0]: the binary under test.
  run complete_words "$HUTCH" --root "$root" delete hutch-test-c
  "$HUTCH" --root "$root" delete --force hutch-test-compl-$$
  assert_output hutch-test-compl-$$
}

@test "contrib: the containerd snippet is a valid config with BinaryName" {
  command -v containerd >/dev/null || skip "containerd not installed: run tests/clients-deps.sh"
  run containerd --config "$REPO_ROOT/contrib/containerd/config.toml" config dump
  assert_success
  assert_output --partial '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hutch.options]'
  assert_output --partial 'BinaryName = "/usr/local/bin/hutch"'
  assert_output --partial 'runtime_type = "io.containerd.runc.v2"'
}

@test "contrib: cmake --install installs the binary, the man page and the completion" {
  local build
  build=$(dirname "$HUTCH")
  [ -f "$build/cmake_install.cmake" ] || skip "$HUTCH is not in a CMake build directory"
  grep -q 'hutch.8' "$build/cmake_install.cmake" ||
    skip "$build was configured before contrib/install.cmake: re-run cmake"
  local dest="$BATS_TEST_TMPDIR/dest"
  run env DESTDIR="$dest" cmake --install "$build" --prefix /usr
  assert_success
  [ -x "$dest/usr/bin/hutch" ] || fail "no $dest/usr/bin/hutch"
  cmp "$REPO_ROOT/contrib/man/hutch.8" "$dest/usr/share/man/man8/hutch.8"
  cmp "$REPO_ROOT/contrib/completion/hutch.bash" "$dest/usr/share/bash-completion/completions/hutch"
  [ -f "$dest/usr/share/doc/hutch/examples/hutch.conf" ] || fail "podman snippet not installed"
}
