#!/usr/bin/env bash
# Installs what nsvpn needs to build and what the live demo runs (and, with
# --test, what every test tier needs) on Debian 12. Run as root.
set -euo pipefail
packages=(
    build-essential cmake ninja-build pkg-config scdoc systemd
    libinih-dev libnl-route-3-dev libnl-genl-3-dev libnftnl-dev libmnl-dev
    libboost-program-options-dev
    # the demo (scripts/demo-vpn.sh): nsvpn runs wireguard-go; wg (wireguard-tools)
    # sets up the demo's provider side only, nsvpn never calls it
    wireguard-go wireguard-tools iproute2 python3 util-linux
)
if [ "${1:-}" = --test ]; then
    # GoogleTest, clang with its libFuzzer and sanitizer runtimes; qemu and a static
    # busybox for the vm tier (tests/vm: the Debian kernel, for kernel WireGuard)
    packages+=(libgtest-dev googletest clang libclang-rt-14-dev
        qemu-system-x86 busybox-static kmod cpio xz-utils)
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
