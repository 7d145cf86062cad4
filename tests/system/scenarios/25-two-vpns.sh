# shellcheck shell=bash
# Two VPNs at once, each with its own service: each service is in its own
# namespace with its own tunnel (the provider sees each one's address), and
# stopping one VPN leaves the other and its service running.

vpn one "[Namespace]" "Services = probe@one.service"
VPN_CLIENT=2 vpn two "[Namespace]" "Services = probe@two.service"
check "systemctl start probe@one probe@two (and so both VPNs)" \
    sc start probe@one.service probe@two.service
check "both probes finished" wait_for 30 probe_done one two
equal "probe@one runs in namespace one" one \
    "$(ct ip netns identify "$(sc show -P MainPID probe@one.service)")"
equal "probe@two runs in namespace two" two \
    "$(ct ip netns identify "$(sc show -P MainPID probe@two.service)")"
equal "the provider sees one's tunnel address" 10.9.0.2 "$(probe_result one http4)"
equal "and two's" 10.9.0.3 "$(probe_result two http4)"
equal "two's IPv6 address too" fd09::3 "$(probe_result two http6)"

check "systemctl stop wg-one" sc stop wg-one.service
equal "probe@one stopped with it" inactive "$(state probe@one.service)"
equal "wg-two.service is still active" active "$(state wg-two.service)"
equal "and probe@two with it" active "$(state probe@two.service)"
equal "its namespace still holds its tunnel" "lo wg0" \
    "$(ct ip -n two -o link show | awk -F': ' '{ print $2 }' | sort | xargs)"
