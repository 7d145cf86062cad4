#!/usr/bin/env bash
# Two VPNs exposing ports at once: each gets its own veth and subnet, both
# answer on the same listed host address; the host interface's forwarding that
# nsvpn switched on stays on while either needs it, and goes off with the last.
# Also: a record-less leftover veth does not block the next up.
source "$(dirname "$0")/lib.sh"
private_machine
provider
PROBE="$(dirname "$0")/probe.py"

ip netns add tailnet
ip link add h-tailnet type veth peer name eth0 netns tailnet
ip addr add 100.100.1.1/24 dev h-tailnet
ip link set h-tailnet up
ip -n tailnet addr add 100.100.1.2/24 dev eth0
ip -n tailnet link set eth0 up
ip -n tailnet route add default via 100.100.1.1

vpn_config "[Expose]" "Port = 9000" "ListenAddress = 127.0.0.1, 100.100.1.1"
sed 's/^Port = 9000$/Port = 9100/' /run/nsvpn/vpn.conf >/run/nsvpn/vpn2.conf
chmod 600 /run/nsvpn/vpn2.conf
cleanup_two() { "$NSVPN" down vpn2 >/dev/null 2>&1; cleanup; }
trap cleanup_two EXIT

check "up vpn" "$NSVPN" up vpn
check "up vpn2" "$NSVPN" up vpn2
subnet() { ip -n "$1" -4 -o addr show dev host0 | awk '{print $4}'; }
check "different subnets" test "$(subnet vpn)" != "$(subnet vpn2)"
equal "two host veths" 2 "$(ip -o link show | grep -c ': nsx')"
background serve1 ip netns exec vpn python3 "$PROBE" serve 9000 "$WORK/s1.ready"
background serve2 ip netns exec vpn2 python3 "$PROBE" serve 9100 "$WORK/s2.ready"
wait_for 10 test -e "$WORK/s1.ready" -a -e "$WORK/s2.ready"
remote() { ip netns exec tailnet timeout 10 python3 "$PROBE" ask "$@"; }
equal "vpn's port from another machine" 100.100.1.2 "$(remote 100.100.1.1 9000)"
equal "vpn2's port from another machine" 100.100.1.2 "$(remote 100.100.1.1 9100)"
equal "vpn2 does not listen on vpn's port" "" "$(ip netns exec vpn2 ss -Htln sport = :9000)"
equal "forwarding switched on once" 1 "$(cat /proc/sys/net/ipv4/conf/h-tailnet/forwarding)"

check "down vpn" "$NSVPN" down vpn
equal "forwarding stays on for vpn2" 1 "$(cat /proc/sys/net/ipv4/conf/h-tailnet/forwarding)"
equal "vpn2's port still answers from another machine" 100.100.1.2 "$(remote 100.100.1.1 9100)"
refute "vpn's port is gone" remote 100.100.1.1 9000 timeout=2
check "down vpn2" "$NSVPN" down vpn2
equal "forwarding off with the last VPN" 0 "$(cat /proc/sys/net/ipv4/conf/h-tailnet/forwarding)"
equal "no marker left" "" "$(ls /run/nsvpn/.forwarding 2>/dev/null)"
equal "no table left" "" "$(nft list ruleset)"

# a veth of ours that no record names (the record was lost): removed, not "File exists"
veth=$(python3 -c 'import sys
h=2166136261
for c in b"vpn": h=((h^c)*16777619)&0xffffffff
print("nsx%08x"%h)')
ip link add "$veth" type veth peer name stray0
check "up with a stray veth of our name in the way" "$NSVPN" up vpn
equal "the stray pair is replaced" "" "$(ip -o link show stray0 2>/dev/null)"

# LinkSubnet= changed while up: a new pair on the new subnet, nothing of the old one left
mkdir -p /run/nsvpn/vpn.conf.d
printf '[Expose]\nLinkSubnet = 10.251.3.0/30\n' >/run/nsvpn/vpn.conf.d/subnet.conf
check "up again with a new LinkSubnet=" "$NSVPN" up vpn
equal "the namespace's end is on the new subnet" "10.251.3.2/30" "$(subnet vpn)"
equal "one rule to the host's end, the new one" "to 10.251.3.1 lookup 28275" \
    "$(ip -n vpn rule show | sed -n 's/^[0-9]*:[[:space:]]*from all //p' | grep '^to ' | xargs)"
equal "one veth" 1 "$(ip -o link show | grep -c ': nsx')"
check "down" "$NSVPN" down vpn
finish
