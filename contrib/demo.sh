#!/bin/sh
# demo.sh [HUTCH]: build a busybox bundle with hutch and run a container from it.
set -eu
hutch=${1:-$(command -v hutch || echo "$(dirname "$0")/../build/hutch")}
dir=$(mktemp -d /tmp/hutch-demo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$(dirname "$0")/mkbundle.sh" "$dir" "$hutch"
jq '.process.terminal = false | .hostname = "hutch-demo" |
    .process.args = ["sh", "-c", "echo \"hello from $(hostname): I am PID $$, running $(uname -s) with $(ls /proc | grep -c \"^[0-9]\") process(es) in sight\""]' \
  "$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
"$hutch" run --bundle "$dir" "hutch-demo-$$"
