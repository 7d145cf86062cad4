# shellcheck shell=bash
# Shared by the netns scenario tests. Each scenario runs as
#   unshare --net --mount bash tests/netns/SCENARIO.sh NSVPN examples/demo-provider.py
# so its "host" is a network namespace of its own; this file then gives it a
# private /run and a copy-on-write /etc, and builds (provider, from
# tests/provider.sh) this topology:
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

# shellcheck source=tests/provider.sh
source "$(dirname "${BASH_SOURCE[0]}")/../provider.sh"

# vpn_config [EXTRA LINES]: /run/nsvpn/vpn.conf for the provider above
vpn_config() {
    vpn_config_text "$@" >/run/nsvpn/vpn.conf
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
