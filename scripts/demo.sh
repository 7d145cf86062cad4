#!/usr/bin/env bash
# Sets nsvpn up and shows its main job live, without a VPN account: installs the
# build dependencies and what the demo runs, builds, installs to /usr, then runs
# scripts/demo-vpn.sh, which brings a VPN up against a throwaway WireGuard
# "provider" on this machine, shows a request leaving through the tunnel, and
# removes everything again.
# Run as root on Debian 12: sudo scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF
ninja -C build-release
cmake --install build-release

# the installed nsvpn and the system's tools, with the PATH sudo gives on Debian
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec scripts/demo-vpn.sh
