#!/bin/sh
# Install what bats/clients/ needs: real container engines that drive hutch
# (podman through conmon, containerd with its runc.v2 shim and ctr), umoci
# to make an OCI image layout for `ctr images import`, and netavark +
# iptables for podman's default bridge network.  Idempotent; run as root.
# Nothing here starts a service: the tests start their own containerd with a
# private config and stop it again.
#   podman conmon          podman 4.3 and its monitor (calls hutch)
#   netavark aardvark-dns  podman's network backend (bridge network)
#   iptables               netavark's NAT/firewall rules (in the test netns)
#   containerd             containerd 1.6, ctr and containerd-shim-runc-v2
#   umoci                  builds the OCI image layout imported by ctr
#   jq busybox-static      bundle and image building (also in install-deps.sh)
set -eu
pkgs="podman conmon netavark aardvark-dns iptables containerd umoci jq busybox-static
      util-linux"
# shellcheck disable=SC2086
sh "$(dirname "$0")/apt-ensure.sh" $pkgs
