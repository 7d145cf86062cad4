#!/usr/bin/env bash
# Ups and downs of one VPN at the same time: the lock serialises them (also
# when a down removes the lock file under a waiter), and the end is consistent.
source "$(dirname "$0")/lib.sh"
private_machine
provider
vpn_config
# many ups and downs of one VPN at once: they must serialise, and end consistent
racers=()
for _ in $(seq 6); do
    "$NSVPN" up vpn >/dev/null 2>&1 &
    racers+=($!)
    "$NSVPN" down vpn >/dev/null 2>&1 &
    racers+=($!)
done
for pid in "${racers[@]}"; do wait "$pid" || true; done
"$NSVPN" up vpn >/dev/null 2>&1
check "after concurrent ups and downs, up works" test "$(http_from_vpn 10.9.0.1)" = 10.9.0.2
check "down" "$NSVPN" down vpn
check "nothing left" test ! -e /run/netns/vpn -a ! -e /run/nsvpn/vpn
check "no daemon is left serving a UAPI socket" bash -c "! ss -xlp | grep -q 'nsv[0-9a-f]*.sock'"
finish
