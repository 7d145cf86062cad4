# shellcheck shell=bash
# (1) The user's path under systemd: a provider's file plus [Namespace]
# Services= dropped into /etc/nsvpn, daemon-reload, systemctl start wg-vpn. The
# attached service then runs inside the VPN's namespace only (it sees lo and the
# tunnel, nothing else), reaches the provider through the tunnel (the provider
# sees the tunnel addresses, IPv4 and IPv6), and its names are resolved by the VPN's resolver,
# never by the host's; the host's resolver sockets are hidden from it.

vpn vpn "[Namespace]" "Services = probe@web.service"
check "daemon-reload made wg-vpn.service" ct test -f /run/systemd/generator/wg-vpn.service
check "and the drop-in of probe@web.service" \
    ct test -f /run/systemd/generator/probe@web.service.d/50-nsvpn-vpn.conf
equal "nothing was started by daemon-reload" inactive "$(state wg-vpn.service)"

check "systemctl start wg-vpn" sc start wg-vpn.service
equal "wg-vpn.service is active" active "$(state wg-vpn.service)"
equal "netns@vpn.service (pulled in by it) is active" active "$(state netns@vpn.service)"
check "/run/netns/vpn is there" ct test -e /run/netns/vpn
equal "the namespace holds lo and wg0" "lo wg0" \
    "$(ct ip -n vpn -o link show | awk -F': ' '{ print $2 }' | sort | xargs)"
if [ "$(wg_impl vpn)" = kernel ]; then
    # (the VM: Debian's kernel has WireGuard)
    pass "wg0 is a kernel WireGuard link"
    equal "no process is left in wg-vpn.service's cgroup" "" "$(unit_pids wg-vpn.service)"
else
    equal "wg0 is wireguard-go's tun" userspace "$(wg_impl vpn)"
    equal "the userspace daemon lives in wg-vpn.service's cgroup" wireguard-go \
        "$(for pid in $(unit_pids wg-vpn.service); do ct_file "/proc/$pid/comm"; done | sort -u | xargs)"
fi
equal "StatusText says what is up" "wg0 up in namespace vpn, address 10.9.0.2/32 fd09::2/128" \
    "$(sc show -P StatusText wg-vpn.service)"

# a host resolver socket to hide (nscd's): the service must not see it
ct_sh 'mkdir -p /run/nscd && echo host >/run/nscd/socket'
check "systemctl start probe@web" sc start probe@web.service
check "the probe finished" wait_for 30 probe_done web
equal "probe@web.service is active" active "$(state probe@web.service)"
equal "its network namespace is the VPN's" vpn \
    "$(ct ip netns identify "$(sc show -P MainPID probe@web.service)")"
equal "it sees lo and wg0 only" "lo wg0" "$(probe_result web links | sort | xargs)"
equal "IPv4: the provider sees the tunnel address" 10.9.0.2 "$(probe_result web http4)"
equal "IPv6: the provider sees the tunnel address" fd09::2 "$(probe_result web http6)"
equal "its resolv.conf is the VPN's" "$(ct_file /run/nsvpn/vpn/resolv.conf)" \
    "$(probe_result web resolv.conf)"
equal "its nsswitch hosts: line is the VPN's" \
    "$(ct grep '^hosts:' /run/nsvpn/vpn/nsswitch.conf)" "$(probe_result web nsswitch)"
equal "a name resolves (by the VPN's DNS server)" 10.9.0.1 "$(probe_result web getent)"
check "the VPN's resolver got the query, from the tunnel address" \
    grep -q "^probe.vpn.test 1 10.9.0.2$" <(provider_queries vpn)
equal "the host's resolver got no query" "" "$(provider_queries host)"
equal "the host's nscd socket is hidden from it" "" "$(probe_result web resolver-sockets)"
equal "the provider had a handshake with its peer" 1 \
    "$(ct wg show wgp latest-handshakes | awk '$2 > 0' | wc -l)"
