#!/usr/bin/env bash
# ExecStart of nsvpn-test-provider.service in the system tier's container: the
# netns tier's VPN provider (tests/provider.sh) on the container's own network,
# plus a second client (client2: 10.9.0.3, fd09::3), its keys kept in
# /var/lib/nsvpn-test/provider across reboots. The daemons stay
# in the unit's cgroup after this script exits (Type=oneshot, RemainAfterExit).
set -euo pipefail
LIB=/usr/local/lib/nsvpn-test
WORK=/var/lib/nsvpn-test/provider
PROVIDER_PY=$LIB/demo-provider.py
mkdir -p "$WORK"
# what an earlier boot left: only the keys are kept
rm -f "$WORK"/*.ready "$WORK"/*.queries "$WORK"/*.log

# shellcheck source=tests/assert.sh
source "$LIB/assert.sh"
# shellcheck source=tests/provider.sh
source "$LIB/provider.sh"

background() {
    local name=$1
    shift
    "$@" >"$WORK/$name.log" 2>&1 &
}

provider
# a second client, for scenarios with two VPNs at once: 10.9.0.3/32 fd09::3/128
if [ ! -s "$WORK/client2.key" ]; then (umask 077 && wg genkey >"$WORK/client2.key"); fi
wg pubkey <"$WORK/client2.key" >"$WORK/client2.pub"
wg set wgp peer "$(cat "$WORK/client2.pub")" allowed-ips 10.9.0.3/32,fd09::3/128
echo "provider up: wgp listening on 192.0.2.2:51820 for two clients, HTTP and DNS on 10.9.0.1"
