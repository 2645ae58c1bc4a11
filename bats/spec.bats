#!/usr/bin/env bats
# hutch spec and hutch features.

load helpers

@test "spec writes a config.json that jq reads, with the expected keys" {
  dir="$BATS_TEST_TMPDIR/b1"
  mkdir -p "$dir"
  cd "$dir"
  run "$HUTCH" spec
  assert_success
  assert_output ""
  [ -f "$dir/config.json" ]
  run jq -r '.ociVersion' "$dir/config.json"
  assert_output "1.3.0"
  run jq -r '.process.args | join(" ")' "$dir/config.json"
  assert_output "sh"
  run jq -r '.process.terminal, .root.path, .root.readonly' "$dir/config.json"
  assert_output $'true\nrootfs\ntrue'
  run jq -r '[.linux.namespaces[].type] | sort | join(",")' "$dir/config.json"
  assert_output "ipc,mount,network,pid,uts"
  run jq -r '.process.capabilities.bounding | sort | join(",")' "$dir/config.json"
  assert_output "CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE"
  run jq -r '.process.rlimits[0] | "\(.type) \(.soft) \(.hard)"' "$dir/config.json"
  assert_output "RLIMIT_NOFILE 1024 1024"
  run jq -r '[.mounts[].destination] | join(" ")' "$dir/config.json"
  assert_output "/proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup"
  run jq -r '.linux.maskedPaths | index("/proc/kcore") != null' "$dir/config.json"
  assert_output "true"
  run jq -e '.linux.uidMappings == null' "$dir/config.json"
  assert_success
}

@test "spec refuses to overwrite an existing config.json (exit 1, one line, file unchanged)" {
  dir="$BATS_TEST_TMPDIR/b2"
  mkdir -p "$dir"
  echo '{"mine": true}' >"$dir/config.json"
  run "$HUTCH" spec --bundle "$dir"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output "hutch: spec: config.json already exists in $dir"
  run cat "$dir/config.json"
  assert_output '{"mine": true}'
}

@test "spec --bundle and -b write into the given directory, not the cwd" {
  dir="$BATS_TEST_TMPDIR/b3"
  other="$BATS_TEST_TMPDIR/cwd3"
  mkdir -p "$dir" "$other"
  cd "$other"
  run "$HUTCH" spec --bundle "$dir"
  assert_success
  [ -f "$dir/config.json" ]
  [ ! -e "$other/config.json" ]
  rm "$dir/config.json"
  run "$HUTCH" spec -b "$dir"
  assert_success
  jq -e '.ociVersion == "1.3.0"' "$dir/config.json"
}

@test "spec --bundle on a missing directory fails with one line" {
  run "$HUTCH" spec --bundle "$BATS_TEST_TMPDIR/does-not-exist"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "does-not-exist: No such file or directory"
  [ ! -e "$BATS_TEST_TMPDIR/does-not-exist" ]
}

@test "spec rejects extra arguments" {
  cd "$BATS_TEST_TMPDIR"
  run "$HUTCH" spec extra
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  [ ! -e "$BATS_TEST_TMPDIR/config.json" ]
}

@test "spec --rootless has a user namespace, mappings of the caller and no network namespace" {
  dir="$BATS_TEST_TMPDIR/b4"
  mkdir -p "$dir"
  run "$HUTCH" spec --rootless --bundle "$dir"
  assert_success
  run jq -r '[.linux.namespaces[].type] | sort | join(",")' "$dir/config.json"
  assert_output "ipc,mount,pid,user,uts"
  run jq -r '.linux.uidMappings[0] | "\(.containerID) \(.hostID) \(.size)"' "$dir/config.json"
  assert_output "0 $(id -u) 1"
  run jq -r '.linux.gidMappings[0] | "\(.containerID) \(.hostID) \(.size)"' "$dir/config.json"
  assert_output "0 $(id -g) 1"
  run jq -r '[.mounts[] | select(.destination == "/dev/pts") | .options[] | select(startswith("gid="))] | length' "$dir/config.json"
  assert_output "0"
  run jq -r '[.mounts[] | select(.type == "cgroup")] | length' "$dir/config.json"
  assert_output "0"
  run jq -r '.linux.resources == null' "$dir/config.json"
  assert_output "true"
}

@test "features prints valid JSON with ociVersionMax 1.3.0" {
  run "$HUTCH" features
  assert_success
  echo "$output" | jq -e . >/dev/null
  run jq -r '.ociVersionMin, .ociVersionMax' <<<"$output"
  assert_output $'1.0.0\n1.3.0'
  run "$HUTCH" features
  run jq -r '.linux.capabilities | length' <<<"$output"
  assert_output "41"
  run "$HUTCH" features
  run jq -r '.linux.namespaces | join(",")' <<<"$output"
  assert_output "pid,network,mount,ipc,uts,user,cgroup,time"
  run "$HUTCH" features
  run jq -r '.hooks | join(",")' <<<"$output"
  assert_output "prestart,createRuntime,createContainer,startContainer,poststart,poststop"
  run "$HUTCH" features
  run jq -r '.linux.seccomp.enabled, (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") != null), .linux.apparmor.enabled, (.mountOptions | index("rbind") != null)' <<<"$output"
  assert_output $'true\ntrue\ntrue\ntrue'
}

@test "features rejects arguments" {
  run "$HUTCH" features extra
  assert_failure 1
  assert_equal "${#lines[@]}" 1
}
