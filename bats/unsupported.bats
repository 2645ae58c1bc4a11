#!/usr/bin/env bats
# Fields hutch cannot honour are errors naming the field (never silently
# dropped), and linux.memoryPolicy is applied.

load helpers

@test "linux.intelRdt is refused with the field named, nothing left behind" {
  update_config '.linux.intelRdt = {"closID": "x"}'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "linux.intelRdt: Intel RDT is not supported"
  assert_no_leftovers "$id"
}

@test "linux.netDevices is refused with the field named, nothing left behind" {
  update_config '.linux.netDevices = {"eth9": {"name": "eth0"}}'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial "linux.netDevices: moving network devices is not supported"
  assert_no_leftovers "$id"
}

@test "linux.memoryPolicy MPOL_BIND to node 0 is applied to the container" {
  update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
  set_args sh -c 'grep -E "^[0-9a-f]+ bind:0" /proc/self/numa_maps | head -1'
  id=$(cid)
  [ -e /proc/self/numa_maps ] || skip "kernel without NUMA maps"
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_output --regexp 'bind:0'
}

@test "linux.memoryPolicy: inconsistent nodes are refused before anything is created" {
  update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND"}'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial "linux.memoryPolicy.nodes: required for MPOL_BIND"
  update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT", "nodes": "0"}'
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial "linux.memoryPolicy.nodes: must be empty for MPOL_DEFAULT"
  update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-x"}'
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial 'linux.memoryPolicy.nodes: expected a list like'
  assert_no_leftovers "$id"
}
