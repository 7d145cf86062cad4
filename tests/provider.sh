# shellcheck shell=bash
# The test VPN provider, shared by the netns tier (tests/netns/lib.sh, in the
# test's own namespace) and the system tier (tests/system/guest/provider-service.sh, as
# a service in the container):
#
#   host (the caller's namespace)             prov (the VPN provider)
#     veth nsvh 192.0.2.1/24 2001:db8:1::1  <->  veth nsvp 192.0.2.2/24 2001:db8:1::2
#     DNS "of the host" on 127.0.0.1:53          wireguard-go wgp, 10.9.0.1/24 fd09::1/64
#     and 192.0.2.1:53 (must never be asked)     HTTP :80 answers the client's address
#                                                DNS on 10.9.0.1:53
#   the client (nsvpn): 10.9.0.2/32 fd09::2/128, DNS 10.9.0.1, search vpn.test
#
# Both DNS servers answer every A query with 10.9.0.1 and every AAAA query with
# fd09::1, and log each query ("NAME TYPE FROM") to $WORK/vpn-dns.queries and
# $WORK/host-dns.queries.
#
# The caller sets WORK (keys, logs, query logs, ready files) and PROVIDER_PY
# (examples/demo-provider.py), and defines `background NAME COMMAND...` (start a
# process it owns, output to $WORK/NAME.log) and `wait_for` (tests/assert.sh).

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

    # made once per $WORK: the system tier's provider comes back after a reboot
    # with the keys its client's configuration names
    if [ ! -s "$WORK/client.key" ] || [ ! -s "$WORK/provider.key" ]; then
        (umask 077 && wg genkey >"$WORK/client.key" && wg genkey >"$WORK/provider.key")
    fi
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

# vpn_config_text [EXTRA LINES]: the client's configuration for this provider
vpn_config_text() {
    echo "[Interface]"
    echo "PrivateKey = $(cat "$WORK/client.key")"
    echo "Address = 10.9.0.2/32, fd09::2/128"
    echo "DNS = 10.9.0.1, vpn.test"
    echo "[Peer]"
    echo "PublicKey = $(cat "$WORK/provider.pub")"
    echo "AllowedIPs = 0.0.0.0/0, ::/0"
    echo "Endpoint = 192.0.2.2:51820"
    local line
    for line in "$@"; do echo "$line"; done
}
