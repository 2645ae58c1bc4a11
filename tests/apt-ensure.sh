#!/bin/sh
# apt-ensure.sh PKG...: install, from Debian's packages, those of PKG that are
# not installed yet (apt-get update + install only then: idempotent and quick
# when everything is there).  Run as root.  Used by every install-deps script.
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update
# --no-install-recommends: only what is asked for (e.g. no buildah,
# fuse-overlayfs or slirp4netns with podman).
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
