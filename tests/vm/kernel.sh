#!/usr/bin/env bash
# nsvpn with the kernel's WireGuard (tests/vm/run.sh BUILD_DIR tests/vm/kernel.sh):
# the link is made from the root namespace straight into the VPN's, configured
# over generic netlink from inside; its UDP socket stays in the root namespace;
# traffic goes through; a second up changes nothing (the session survives);
# kill -9 in the middle of up is cleaned up; down leaves nothing.
# shellcheck source=tests/vm/lib.sh
source "$(dirname "$0")/lib.sh"

provider
echo "nameserver 192.0.2.1" >/etc/resolv.conf
mkdir -p /run/nsvpn /run/netns
write_config() {
    {
        echo "[Interface]"
        echo "PrivateKey = $(cat "$WORK/client.key")"
        echo "Address = 10.9.0.2/32, fd09::2/128"
        echo "DNS = 10.9.0.1"
        echo "[Peer]"
        echo "PublicKey = $(cat "$WORK/provider.pub")"
        echo "AllowedIPs = 0.0.0.0/0, ::/0"
        echo "Endpoint = 192.0.2.2:51820"
        for line in "$@"; do echo "$line"; done
    } >/run/nsvpn/vpn.conf
    chmod 600 /run/nsvpn/vpn.conf
}
ns_view() {
    ip -n vpn -o link show | awk -F': ' '{print $1, $2}'
    ip -n vpn -o addr show | awk '{print $2, $4}'
    ip -n vpn route show table all
}
root_links() { ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs; }
before=$(root_links)

write_config "[Namespace]" "Implementation = kernel"
check "nsvpn up (Implementation=kernel)" "$NSVPN" up vpn
check "the record says kernel" grep -qx 'kernel=1' /run/nsvpn/vpn/state
check "wg0 is a kernel WireGuard link in the namespace" \
    bash -c "ip -n vpn -d link show wg0 | grep -qw wireguard"
equal "links in the namespace" "lo wg0" \
    "$(ip -n vpn -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs)"
equal "no new link in the root namespace" "$before" "$(root_links)"
check "IPv4 through the tunnel" pings vpn 10.9.0.1
check "IPv6 through the tunnel" pings vpn fd09::1
check "the provider reaches the tunnel address" pings prov 10.9.0.2
port=$(ip netns exec vpn wg show wg0 listen-port)
check "the UDP socket is in the root namespace" bash -c "ss -Huan | awk '{print \$4}' | grep -q ':$port\$'"
equal "and none in the namespace" "" "$(ip netns exec vpn ss -Huan)"
check "nsvpn exec runs inside, with the VPN's DNS" \
    bash -c "\"$NSVPN\" exec vpn -- cat /etc/resolv.conf | grep -q 'nameserver 10.9.0.1'"

view=$(ns_view)
handshake=$(ip netns exec vpn wg show wg0 latest-handshakes | awk '{print $2}')
check "up again" "$NSVPN" up vpn
equal "the second up changed nothing in the namespace" "$view" "$(ns_view)"
equal "the session survived (same handshake)" "$handshake" \
    "$(ip netns exec vpn wg show wg0 latest-handshakes | awk '{print $2}')"

# status reads the kernel's device over generic netlink, from inside the namespace
# (no python3 here: the JSON is checked line by line)
check "status --json" bash -c "\"$NSVPN\" status vpn --json >$WORK/status.json"
js() { grep -Eq -- "$1" "$WORK/status.json"; }
check "status: the kernel implementation" js '"implementation": "kernel",'
check "status: no daemon, no host interface" bash -c \
    "grep -q '\"daemon\": null,' $WORK/status.json && grep -q '\"host_interface\": null,' $WORK/status.json"
check "status: the addresses" js '"addresses": \[("[^"]*", )*"10\.9\.0\.2/32"'
check "status: the IPv6 address" js '"fd09::2/128"'
check "status: the provider's public key" grep -qF "\"public_key\": \"$(cat "$WORK/provider.pub")\"" "$WORK/status.json"
check "status: the peer's endpoint" js '"endpoint": "192\.0\.2\.2:51820",'
check "status: a handshake seconds ago" js '"latest_handshake_age": [0-9]{1,2},'
check "status: bytes received" js '"rx_bytes": [1-9][0-9]*,'
check "status: bytes sent" js '"tx_bytes": [1-9][0-9]*,'
check "status: the allowed IPs" js '"allowed_ips": \["0\.0\.0\.0/0", "::/0"\]'
check "status: no errors" js '"errors": \[\]'
check "status table: wg0, kernel" bash -c "\"$NSVPN\" status vpn | grep -q 'interface: wg0, kernel$'"

check "down" "$NSVPN" down vpn
check "the namespace up made is gone" test ! -e /run/netns/vpn
check "the record is gone" test ! -e /run/nsvpn/vpn
equal "the root namespace is as before" "$before" "$(root_links)"
check "down again" "$NSVPN" down vpn

# kill -9 in the middle of up: PostUp kills its parent, nsvpn up, at that point
write_config "[Interface]" 'PostUp = kill -9 $PPID'
refute "up killed in PostUp" "$NSVPN" up vpn
check "it left the link behind" silent ip -n vpn link show wg0
write_config
check "up after kill -9 (auto picks the kernel)" "$NSVPN" up vpn
check "the record says kernel" grep -qx 'kernel=1' /run/nsvpn/vpn/state
check "traffic after recovery" pings vpn 10.9.0.1
check "down after recovery" "$NSVPN" down vpn
check "nothing left" test ! -e /run/netns/vpn -a ! -e /run/nsvpn/vpn
equal "the root namespace is as before, again" "$before" "$(root_links)"

# with the provider's peer gone, nothing leaves by another path
check "up" "$NSVPN" up vpn
ip -n prov link set wgp down
refute "with the provider's link down, nothing gets through" silent pings vpn 10.9.0.1 2
refute "and the host's veth address is unreachable from inside" silent pings vpn 192.0.2.1 2
check "down" "$NSVPN" down vpn
finish
