#!/usr/bin/env bash
# The VM harness itself (tests/vm/run.sh BUILD_DIR tests/vm/smoke.sh): the kernel
# has WireGuard and veth, the tools run, namespaces work; then the topology the
# nsvpn kernel test uses, with ip and wg only: a provider namespace with a kernel
# WireGuard peer, and a client link made in the root namespace, moved into "vpn"
# and configured from inside it, and pings through the tunnel both ways.
# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

# --- the harness -------------------------------------------------------------
check "the wireguard module is loaded" grep -q '^wireguard ' /proc/modules
check "ip link add type wireguard" ip link add wgt type wireguard
check "wg show" silent wg show wgt
equal "wg show lists it" "wgt" "$(wg show interfaces)"
check "ip link del" ip link del wgt
check "nsvpn --version" "$NSVPN" --version
check "nsvpn-generator is there" test -x "$NSVPN_GENERATOR"
check "nobody resolves" test "$(id -u nobody)" = 65534

ip netns add a
ip netns add b
check "veth across two namespaces" ip link add va netns a type veth peer name vb netns b
ip -n a addr add 198.51.100.1/24 dev va
ip -n b addr add 198.51.100.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
check "ping over the veth" pings a 198.51.100.2
ip netns del a
ip netns del b

# --- the kernel topology -----------------------------------------------------
provider
ip netns add vpn
ip -n vpn link set lo up
ip link add wg0 type wireguard
check "the client link moves into vpn" ip link set wg0 netns vpn
refute "once moved, wg cannot reach it from the root namespace" silent wg show wg0
check "wg configures it from inside" ip netns exec vpn wg set wg0 \
    private-key "$WORK/client.key" \
    peer "$(cat "$WORK/provider.pub")" endpoint 192.0.2.2:51820 allowed-ips 0.0.0.0/0,::/0
ip -n vpn addr add 10.9.0.2/32 dev wg0
ip -n vpn addr add fd09::2/128 dev wg0 nodad
ip -n vpn link set wg0 up
ip -n vpn route add default dev wg0
ip -n vpn -6 route add default dev wg0
equal "links in vpn" "lo wg0" \
    "$(ip -n vpn -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs)"
equal "routes in vpn" "default dev wg0 scope link" "$(ip -n vpn -4 route show | xargs)"

check "ping vpn -> provider through the tunnel" pings vpn 10.9.0.1
check "ping provider -> vpn through the tunnel" pings prov 10.9.0.2
check "IPv6 ping vpn -> provider" pings vpn fd09::1
check "IPv6 ping provider -> vpn" pings prov fd09::2
check "the provider saw a handshake" \
    bash -c "ip netns exec prov wg show wgp latest-handshakes | awk '{exit !(\$2 > 0)}'"
equal "the provider sees the client at the host's veth address" "192.0.2.1" \
    "$(ip netns exec prov wg show wgp endpoints | awk '{print $2}' | cut -d: -f1)"
port=$(ip netns exec vpn wg show wg0 listen-port)
check "the client's UDP socket stays in the root namespace" \
    bash -c "ss -Huan | awk '{print \$4}' | grep -q ':$port\$'"
equal "and there is none in vpn" "" "$(ip netns exec vpn ss -Huan)"

# what nsvpn does: RTM_NEWLINK from the root namespace straight into the target
ip netns add direct
check "ip link add NAME netns NS type wireguard" ip link add wgd netns direct type wireguard
check "it is in the namespace" silent ip -n direct link show wgd
check "configured from inside" ip netns exec direct wg set wgd listen-port 51999
ip -n direct link set wgd up
check "its socket is in the root namespace" bash -c "ss -Huan | grep -q ':51999 '"
ip netns del direct

ip -n prov link set wgp down
refute "with the provider's link down, nothing gets through" silent pings vpn 10.9.0.1 2
finish
