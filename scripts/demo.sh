#!/usr/bin/env bash
# Sets nsvpn up and shows its main job on an embedded example, without a VPN
# account and without touching /etc/nsvpn: installs the build dependencies,
# builds, installs, validates examples/mullvad.conf and runs the generator on it
# into a temporary directory, printing the units it writes.
# Run as root on Debian 12: sudo scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF
ninja -C build-release
cmake --install build-release

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -d -m 0755 "$root/etc/nsvpn"
install -m 0600 examples/mullvad.conf "$root/etc/nsvpn/mullvad.conf"
mkdir "$root/units"

echo
echo "== nsvpn validate mullvad   (NSVPN_ROOT=$root)"
NSVPN_ROOT=$root nsvpn validate mullvad
echo
echo "== nsvpn-generator $root/units"
generator=$(pkg-config --variable=systemdsystemgeneratordir systemd)/nsvpn-generator
NSVPN_ROOT=$root SYSTEMD_LOG_TARGET=console "$generator" "$root/units"
cd "$root/units"
find . \( -type f -o -type l \) | sort | while read -r f; do
    if [ -L "$f" ]; then
        echo "-- $f -> $(readlink "$f")"
    else
        echo "-- $f"
        cat "$f"
    fi
    echo
done
echo "Drop a file like this into /etc/nsvpn/NAME.conf and run systemctl daemon-reload to get these units."
