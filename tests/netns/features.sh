#!/usr/bin/env bash
# The rest of what up does: IPv6 switched off without an IPv6 address, an
# Endpoint= host name resolved in the host namespace, PrivateKeyFile= and a
# preshared key, PreUp/PostUp/PreDown/PostDown with %i, MTU=, /etc/netns/NAME
# for `ip netns exec`, and a changed configuration applied by a second up.
source "$(dirname "$0")/lib.sh"
private_machine
provider

(umask 077 && wg genpsk >"$WORK/psk")
ip netns exec prov wg set wgp peer "$(cat "$WORK/client.pub")" preshared-key "$WORK/psk"
echo "192.0.2.2 provider.test" >>/etc/hosts
install -m 600 "$WORK/client.key" /run/nsvpn/client.key
cat >/run/nsvpn/vpn.conf <<CONF
[Interface]
PrivateKeyFile = /run/nsvpn/client.key
Address = 10.9.0.2/32
DNS = 10.9.0.1
MTU = 1380
PreUp = echo pre-up %i >>$WORK/hooks.log
PostUp = echo post-up %i >>$WORK/hooks.log
PreDown = echo pre-down %i >>$WORK/hooks.log
PostDown = echo post-down %i >>$WORK/hooks.log

[Peer]
PublicKey = $(cat "$WORK/provider.pub")
PresharedKey = $(cat "$WORK/psk")
AllowedIPs = 0.0.0.0/0
Endpoint = provider.test:51820
PersistentKeepalive = 25

[Namespace]
Interface = tunnel0
CONF
chmod 600 /run/nsvpn/vpn.conf

check "up" "$NSVPN" up vpn
equal "traffic through the tunnel (host name endpoint, key file, preshared key)" "10.9.0.2" \
    "$(timeout 10 "$NSVPN" exec vpn -- bash -c \
        "exec 3<>/dev/tcp/10.9.0.1/80 && printf 'GET /ip HTTP/1.0\r\n\r\n' >&3 && tail -n 1 <&3")"
equal "the interface is named by Interface=" "lo tunnel0" \
    "$(ip -n vpn -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs)"
check "MTU= is applied" bash -c "ip -n vpn link show tunnel0 | grep -q 'mtu 1380'"
equal "IPv6 is off inside without an IPv6 address" 1 \
    "$(ip netns exec vpn cat /proc/sys/net/ipv6/conf/all/disable_ipv6)"
equal "no IPv6 address inside" "" "$(ip -n vpn -6 -o addr show)"
refute "no IPv6 connection leaves" timeout 5 "$NSVPN" exec vpn -- bash -c "exec 3<>/dev/tcp/fd09::1/80"
equal "PreUp and PostUp ran with %i" "pre-up tunnel0 post-up tunnel0" "$(xargs <"$WORK/hooks.log")"
equal "ip netns exec users get the VPN's resolv.conf" "nameserver 10.9.0.1" \
    "$(ip netns exec vpn grep -v '^#' /etc/resolv.conf | xargs)"
check "the endpoint was resolved to the provider" \
    bash -c "wg show all endpoints | grep -q '192.0.2.2:51820'"

# A second up applies a changed configuration (another address) and keeps the tunnel.
sed -i 's|^Address = 10.9.0.2/32|Address = 10.9.0.3/32|' /run/nsvpn/vpn.conf
ip netns exec prov wg set wgp peer "$(cat "$WORK/client.pub")" allowed-ips 10.9.0.3/32
check "up with a changed address" "$NSVPN" up vpn
equal "the old address is replaced" "10.9.0.3/32" \
    "$(ip -n vpn -o -4 addr show dev tunnel0 | awk '{print $4}' | xargs)"
equal "traffic from the new address" "10.9.0.3" \
    "$(timeout 10 "$NSVPN" exec vpn -- bash -c \
        "exec 3<>/dev/tcp/10.9.0.1/80 && printf 'GET /ip HTTP/1.0\r\n\r\n' >&3 && tail -n 1 <&3")"

: >"$WORK/hooks.log"
check "down" "$NSVPN" down vpn
equal "PreDown and PostDown ran with %i" "pre-down tunnel0 post-down tunnel0" "$(xargs <"$WORK/hooks.log")"
check "/etc/netns/vpn/resolv.conf is removed" test ! -e /etc/netns/vpn/resolv.conf
check "the namespace up made is removed" test ! -e /run/netns/vpn
# Implementation=kernel on a kernel without WireGuard: a clear failure, nothing made.
sed -i 's|^Interface = tunnel0|Interface = tunnel0\nImplementation = kernel|' /run/nsvpn/vpn.conf
rc=0
"$NSVPN" up vpn 2>"$WORK/kernel.log" || rc=$?
if [ -e /sys/module/wireguard ]; then
    equal "Implementation=kernel where the kernel has WireGuard" 0 "$rc"
    "$NSVPN" down vpn
else
    equal "Implementation=kernel without WireGuard in the kernel exits 1" 1 "$rc"
    check "and says why" grep -q "the kernel has no WireGuard" "$WORK/kernel.log"
fi
check "nothing left after Implementation=kernel" test ! -e /run/netns/vpn -a ! -e /run/nsvpn/vpn
finish
