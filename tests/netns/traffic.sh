#!/usr/bin/env bash
# nsvpn up on a real WireGuard peer: IPv4 and IPv6 leave through the tunnel (the
# provider sees the tunnel addresses), DNS inside is answered by the VPN's
# resolver and never by the host's, exec --user drops every privilege, and the
# namespace has no way out but the tunnel.
source "$(dirname "$0")/lib.sh"
private_machine
provider
vpn_config

check "nsvpn up" "$NSVPN" up vpn
check "the namespace file exists" test -e /run/netns/vpn
equal "links in the namespace" "lo wg0" \
    "$(ip -n vpn -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs)"
equal "addresses of wg0" "10.9.0.2/32 fd09::2/128" \
    "$(ip -n vpn -o addr show dev wg0 | awk '{print $4}' | grep -v '^fe80' | sort | xargs)"
equal "IPv4 routes" "default dev wg0 scope link" "$(ip -n vpn -4 route show | xargs)"
check "IPv6 default route through wg0" bash -c "ip -n vpn -6 route show | grep -q '^default dev wg0'"
check "the tun is gone from the host" bash -c "! ip -o link show | grep -Eq ': nsv[0-9a-f]{8}'"
check "wireguard-go keeps its UDP socket in the host namespace" \
    bash -c "ss -uanp | grep -q wireguard-go"

equal "IPv4 through the tunnel: the provider sees 10.9.0.2" "10.9.0.2" "$(http_from_vpn 10.9.0.1)"
equal "IPv6 through the tunnel: the provider sees fd09::2" "fd09::2" "$(http_from_vpn fd09::1)"
check "wg shows a handshake with the provider" \
    bash -c "ip netns exec prov wg show wgp latest-handshakes | awk '{exit !(\$2 > 0)}'"

equal "resolv.conf inside" "nameserver 10.9.0.1 search vpn.test" \
    "$("$NSVPN" exec vpn -- grep -v '^#' /etc/resolv.conf | xargs)"
equal "a name resolved inside, by the VPN's resolver" "10.9.0.1" \
    "$(timeout 10 "$NSVPN" exec vpn -- getent ahostsv4 example.test | awk '{print $1; exit}')"
check "the VPN's resolver was asked" grep -q '^example.test ' "$WORK/vpn-dns.queries"
equal "no query reached the host's resolvers" "" "$(cat "$WORK/host-dns.queries")"
check "the host resolves through its own resolver (positive control)" \
    bash -c "timeout 10 getent ahostsv4 control.test >/dev/null && grep -q '^control.test ' '$WORK/host-dns.queries'"

equal "exec --user nobody: uid" "65534 65534 65534 65534" \
    "$("$NSVPN" exec vpn --user nobody -- awk '/^Uid:/{print $2, $3, $4, $5}' /proc/self/status)"
equal "exec --user nobody: no capabilities" "0000000000000000" \
    "$("$NSVPN" exec vpn --user nobody -- awk '/^CapEff:/{print $2}' /proc/self/status)"
equal "exec --user nobody: reaches the provider too" "10.9.0.2" \
    "$(timeout 10 "$NSVPN" exec vpn --user nobody -- bash -c \
        "exec 3<>/dev/tcp/10.9.0.1/80 && printf 'GET /ip HTTP/1.0\r\n\r\n' >&3 && tail -n 1 <&3")"

# With the provider's peer gone, nothing leaves by any other path.
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
background listener python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.1", 8080)); s.listen(); open(sys.argv[1], "w").close()
while True:
    c, a = s.accept(); open(sys.argv[2], "a").write(a[0] + "\n"); c.close()
' "$WORK/listener.ready" "$WORK/listener.log"
wait_for 10 test -e "$WORK/listener.ready"
bash -c "exec 3<>/dev/tcp/192.0.2.1/8080"
check "positive control: the host listener records a connection made on the host" \
    wait_for 5 test -s "$WORK/listener.log"
: >"$WORK/listener.log"
refute "with the peer dead, the provider cannot be reached" \
    timeout 5 "$NSVPN" exec vpn -- bash -c "exec 3<>/dev/tcp/10.9.0.1/80"
refute "with the peer dead, the host's address cannot be reached from inside" \
    timeout 5 "$NSVPN" exec vpn -- bash -c "exec 3<>/dev/tcp/192.0.2.1/8080"
equal "the host listener recorded nothing from inside" "" "$(cat "$WORK/listener.log")"
check "the namespace still routes only through wg0" \
    bash -c "[ \"\$(ip -n vpn route show | grep -cv 'dev wg0')\" = 0 ]"

check "nsvpn down" "$NSVPN" down vpn
finish
