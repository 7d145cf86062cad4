# shellcheck shell=bash
# Shared by the scripts that tests/vm/run.sh runs inside the VM:
#   source "$(dirname "$0")/lib.sh"
# The VM is the whole machine and is thrown away afterwards, so nothing here
# needs undoing; the helpers match tests/netns/lib.sh.
set -euo pipefail

WORK=$(mktemp -d /tmp/nsvpn-vm-test.XXXXXX)

# shellcheck source=tests/assert.sh
source "$(dirname "${BASH_SOURCE[0]}")/../assert.sh"

# silent COMMAND...: runs it with its output discarded
silent() { "$@" >/dev/null 2>&1; }

# pings NAMESPACE ADDRESS [SECONDS]: one ping from the namespace is answered
# (within SECONDS, default 5); ping's output is shown only when it is not
pings() {
    local out
    if out=$(ip netns exec "$1" ping -c 1 -W "${3:-5}" "$2" 2>&1); then return 0; fi
    echo "$out"
    return 1
}

# keypair NAME: $WORK/NAME.key and $WORK/NAME.pub
keypair() {
    (umask 077 && wg genkey >"$WORK/$1.key")
    wg pubkey <"$WORK/$1.key" >"$WORK/$1.pub"
}

# provider: the VPN provider's side, as tests/netns/lib.sh builds it but with
# kernel WireGuard; the client's key pair is made here too.
#
#   host (root namespace)                      prov
#     veth nsvh 192.0.2.1/24 2001:db8:1::1  <->  veth nsvp 192.0.2.2/24 2001:db8:1::2
#                                                wireguard wgp :51820, 10.9.0.1/24 fd09::1/64,
#                                                peer $WORK/client.pub: 10.9.0.2/32 fd09::2/128
provider() {
    ip netns add prov
    ip -n prov link set lo up
    ip link add nsvh type veth peer name nsvp netns prov
    ip addr add 192.0.2.1/24 dev nsvh
    ip addr add 2001:db8:1::1/64 dev nsvh nodad
    ip link set nsvh up
    ip -n prov addr add 192.0.2.2/24 dev nsvp
    ip -n prov addr add 2001:db8:1::2/64 dev nsvp nodad
    ip -n prov link set nsvp up

    keypair client
    keypair provider
    ip -n prov link add wgp type wireguard
    ip netns exec prov wg set wgp private-key "$WORK/provider.key" listen-port 51820 \
        peer "$(cat "$WORK/client.pub")" allowed-ips 10.9.0.2/32,fd09::2/128
    ip -n prov addr add 10.9.0.1/24 dev wgp
    ip -n prov addr add fd09::1/64 dev wgp nodad
    ip -n prov link set wgp up
}
