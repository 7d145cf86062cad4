#!/usr/bin/env bash
# Installs what nsvpn needs to build (and, with --test, to run every test tier)
# on Debian 12. Run as root.
set -euo pipefail
packages=(
    build-essential cmake ninja-build pkg-config scdoc systemd
    libsystemd-dev libinih-dev libnl-route-3-dev libnl-genl-3-dev libnftnl-dev libmnl-dev
    libboost-program-options-dev
)
if [ "${1:-}" = --test ]; then
    # GoogleTest, clang with its libFuzzer and sanitizer runtimes
    packages+=(libgtest-dev googletest clang libclang-rt-14-dev
        wireguard-go wireguard-tools iproute2 python3 util-linux)
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
