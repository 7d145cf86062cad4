# shellcheck shell=bash
# Shared by the netns scenario tests. Each scenario runs as
#   unshare --net --mount bash tests/netns/SCENARIO.sh NSVPN examples/demo-provider.py
# so its "host" is a network namespace of its own; this file then gives it a
# private /run and a copy-on-write /etc, and builds this topology:
#
#   host (the test's namespace)               prov (the VPN provider)
#     veth nsvh 192.0.2.1/24 2001:db8:1::1  <->  veth nsvp 192.0.2.2/24 2001:db8:1::2
#     DNS "of the host" on 127.0.0.1:53          wireguard-go wgp, 10.9.0.1/24 fd09::1/64
#     and 192.0.2.1:53 (must never be asked)     HTTP :80 answers the client's address
#                                                DNS on 10.9.0.1:53
#   vpn (made by nsvpn): wg0 10.9.0.2/32 fd09::2/128, its only way out
#
# Nothing of the machine is touched; every process started is killed by PID.
set -euo pipefail

NSVPN=$1
PROVIDER_PY=$2
export NSVPN PROVIDER_PY
WORK=$(mktemp -d /tmp/nsvpn-netns-test.XXXXXX)
PIDS=()

cleanup() {
    set +e
    "$NSVPN" down vpn >/dev/null 2>&1
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=tests/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../assert.sh"

private_machine() {
    mount --make-rprivate /
    mount -t tmpfs -o mode=0755 tmpfs /run
    mkdir -p /run/netns /run/nsvpn /run/wireguard
    # /etc copy-on-write: nsvpn up may write /etc/netns/NAME/resolv.conf
    mkdir -p "$WORK/etc-upper" "$WORK/etc-work"
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$WORK/etc-upper,workdir=$WORK/etc-work" /etc
    rm -f /etc/resolv.conf
    echo "nameserver 127.0.0.1" >/etc/resolv.conf
    ip link set lo up
}

# background NAME COMMAND...: starts a process we own, remembers its PID
background() {
    local name=$1
    shift
    "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
}

provider() {
    ip netns add prov
    ip link add nsvh type veth peer name nsvp netns prov
    ip addr add 192.0.2.1/24 dev nsvh
    ip addr add 2001:db8:1::1/64 dev nsvh nodad
    ip link set nsvh up
    ip -n prov addr add 192.0.2.2/24 dev nsvp
    ip -n prov addr add 2001:db8:1::2/64 dev nsvp nodad
    ip -n prov link set nsvp up
    ip -n prov link set lo up

    (umask 077 && wg genkey >"$WORK/client.key" && wg genkey >"$WORK/provider.key")
    wg pubkey <"$WORK/client.key" >"$WORK/client.pub"
    wg pubkey <"$WORK/provider.key" >"$WORK/provider.pub"

    background wgp ip netns exec prov env WG_PROCESS_FOREGROUND=1 wireguard-go wgp
    wait_for 10 test -S /run/wireguard/wgp.sock
    ip netns exec prov wg set wgp private-key "$WORK/provider.key" listen-port 51820 \
        peer "$(cat "$WORK/client.pub")" allowed-ips 10.9.0.2/32,fd09::2/128
    ip -n prov addr add 10.9.0.1/24 dev wgp
    ip -n prov addr add fd09::1/64 dev wgp nodad
    ip -n prov link set wgp up

    # examples/demo-provider.py: the demo's provider services, tested here too
    background http ip netns exec prov python3 "$PROVIDER_PY" http 80 "$WORK/http.ready" \
        10.9.0.1 fd09::1
    background dns ip netns exec prov python3 "$PROVIDER_PY" dns 53 10.9.0.1 fd09::1 \
        "$WORK/vpn-dns.queries" "$WORK/dns.ready" 10.9.0.1
    # the host's own resolvers: no query of the VPN may reach them
    background hostdns python3 "$PROVIDER_PY" dns 53 10.9.0.1 fd09::1 "$WORK/host-dns.queries" \
        "$WORK/hostdns.ready" 127.0.0.1 192.0.2.1
    wait_for 10 test -e "$WORK/http.ready" -a -e "$WORK/dns.ready" -a -e "$WORK/hostdns.ready"
    touch "$WORK/host-dns.queries" "$WORK/vpn-dns.queries"
    # the kernel adds the veth's link-local address (and its route) in its own time
    wait_for 10 bash -c "ip -6 route show table local | grep -q 'fe80.* dev nsvh'"
}

# vpn_config [EXTRA LINES]: /run/nsvpn/vpn.conf for the provider above
vpn_config() {
    {
        echo "[Interface]"
        echo "PrivateKey = $(cat "$WORK/client.key")"
        echo "Address = 10.9.0.2/32, fd09::2/128"
        echo "DNS = 10.9.0.1, vpn.test"
        echo "[Peer]"
        echo "PublicKey = $(cat "$WORK/provider.pub")"
        echo "AllowedIPs = 0.0.0.0/0, ::/0"
        echo "Endpoint = 192.0.2.2:51820"
        for line in "$@"; do echo "$line"; done
    } >/run/nsvpn/vpn.conf
    chmod 600 /run/nsvpn/vpn.conf
}

# http_from_vpn ADDRESS: what the provider's HTTP server saw as our address
http_from_vpn() {
    timeout 10 "$NSVPN" exec vpn -- bash -c \
        "exec 3<>/dev/tcp/$1/80 && printf 'GET /ip HTTP/1.0\r\n\r\n' >&3 && tail -n 1 <&3"
}

# A snapshot of everything nsvpn could leave behind in the host namespace.
host_snapshot() {
    ip -o link show | sed 's/^[0-9]*: //; s/ link-netns.*//; s/ link-netnsid.*//' | cut -d' ' -f1 | sort
    ip -o addr show | awk '{print $2, $3, $4}' | sort
    ip route show table all | sort
    ip -6 route show table all | sort
    ip rule show | sort
    ls /run/netns /run/wireguard | sort
}
