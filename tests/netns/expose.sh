#!/usr/bin/env bash
# [Expose]: ports of a service inside the VPN answer on the listed host
# addresses (127.0.0.1 and a second one, from the host itself and from another
# machine), and nowhere else (a host address not listed, the provider's side,
# the tunnel); nothing inside reaches the host by the veth, whatever it tries;
# up twice adds nothing twice; down leaves nothing.
#
# On top of lib.sh's topology:
#   tailnet: a machine at 100.100.1.2 reaching the host at 100.100.1.1 (listed)
#   lan:     a machine at 192.168.50.2 reaching the host at 192.168.50.1 (not listed)
source "$(dirname "$0")/lib.sh"
private_machine
provider
PROBE="$(dirname "$0")/probe.py"

# other machines: one where the host has a listed address, one where it has not
for pair in "tailnet 100.100.1" "lan 192.168.50"; do
    set -- $pair
    ip netns add "$1"
    ip link add "h-$1" type veth peer name eth0 netns "$1"
    ip addr add "$2.1/24" dev "h-$1"
    ip link set "h-$1" up
    ip -n "$1" addr add "$2.2/24" dev eth0
    ip -n "$1" link set eth0 up
    ip -n "$1" link set lo up
    ip -n "$1" route add default via "$2.1"
done
# the kernel adds the link-local addresses in its own time: wait, so that the snapshot is stable
wait_for 10 bash -c "ip -6 route show table local | grep -q 'fe80.* dev h-tailnet'"
wait_for 10 bash -c "ip -6 route show table local | grep -q 'fe80.* dev h-lan'"
equal "the host does not forward before up" 0 "$(cat /proc/sys/net/ipv4/conf/h-tailnet/forwarding)"
before=$(host_snapshot; nft list ruleset)

vpn_config "[Expose]" "Port = 9000" "Port = 8080:9000" "Port = 9000/udp" "Port = 5353:9000/udp" \
    "ListenAddress = 127.0.0.1, 100.100.1.1"
check "up" "$NSVPN" up vpn
veth=$(ip -o link show | awk -F': ' '/nsx/ {print $2}' | cut -d@ -f1)
check "the host end of the veth is nsx + 8 hex digits" bash -c "[[ $veth =~ ^nsx[0-9a-f]{8}$ ]]"
host_addr=$(ip -4 -o addr show dev "$veth" | awk '{print $4}' | cut -d/ -f1)
ns_addr=$(ip -n vpn -4 -o addr show dev host0 | awk '{print $4}' | cut -d/ -f1)
check "the veth's subnet is a link-local /30 by default" \
    bash -c "ip -4 -o addr show dev $veth | grep -q 'inet 169\.254\.[0-9]*\.[0-9]*/30'"
equal "inside: lo, the tunnel and the veth" "host0 lo wg0" \
    "$(ip -n vpn -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs)"
equal "no route to the veth's subnet in the namespace's main table" "" \
    "$(ip -n vpn route show table main dev host0)"
equal "the host's forwarding is switched on only where a listed address is" "1 0 0" \
    "$(cat /proc/sys/net/ipv4/conf/{h-tailnet,h-lan,nsvh}/forwarding | xargs)"
equal "route_localnet only on the veth" "1 0" \
    "$(cat /proc/sys/net/ipv4/conf/{$veth,all}/route_localnet | xargs)"
equal "no global forwarding" 0 "$(cat /proc/sys/net/ipv4/ip_forward)"

background serve ip netns exec vpn python3 "$PROBE" serve 9000 "$WORK/serve.ready"
background record python3 "$PROBE" record 7777 "$WORK/record.log" "$WORK/record.ready"
wait_for 10 test -e "$WORK/serve.ready" -a -e "$WORK/record.ready"
ask() { timeout 10 python3 "$PROBE" ask "$@"; }

# --- the exposed ports answer where they should ------------------------------
equal "TCP from the host to 127.0.0.1 (source: the host's end of the veth)" "$host_addr" \
    "$(ask 127.0.0.1 9000)"
equal "TCP from the host to the second listed address" "100.100.1.1" "$(ask 100.100.1.1 9000)"
equal "TCP from another machine to the listed address (its own source kept)" "100.100.1.2" \
    "$(ip netns exec tailnet timeout 10 python3 "$PROBE" ask 100.100.1.1 9000)"
equal "UDP from the host to 127.0.0.1" "$host_addr" "$(ask 127.0.0.1 9000 udp)"
equal "UDP from another machine (source: the host's end of the veth)" "$host_addr" \
    "$(ip netns exec tailnet timeout 10 python3 "$PROBE" ask 100.100.1.1 9000 udp)"
equal "host port remapped (8080 -> 9000, TCP)" "$host_addr" "$(ask 127.0.0.1 8080)"
equal "host port remapped (5353 -> 9000, UDP)" "$host_addr" "$(ask 100.100.1.1 5353 udp)"

# --- and nowhere else ---------------------------------------------------------
refute "not from the host on an address not listed" ask 192.168.50.1 9000 timeout=2
refute "not from the LAN to its own address" \
    ip netns exec lan timeout 10 python3 "$PROBE" ask 192.168.50.1 9000 timeout=2
refute "not from the LAN to the listed address (it is not on the LAN's interface)" \
    ip netns exec lan timeout 10 python3 "$PROBE" ask 100.100.1.1 9000 timeout=2
refute "not from the provider to the host" \
    ip netns exec prov timeout 10 python3 "$PROBE" ask 192.0.2.1 9000 timeout=2
refute "not from the provider through the tunnel" \
    ip netns exec prov timeout 10 python3 "$PROBE" ask 10.9.0.2 9000 timeout=2
refute "a port not exposed does not answer" ask 127.0.0.1 9002 timeout=2
equal "a port not exposed is not forwarded" "" "$(ip netns exec vpn ss -Htn state syn-recv)"

# --- nothing inside reaches the host by the veth --------------------------------
lladdr=$(ip -6 -o addr show dev "$veth" scope link | awk '{print $4}' | cut -d/ -f1)
check "positive control: the recorder hears the host" ask 127.0.0.1 7777
check "positive control: the recorder hears the veth's IPv6 link-local address" \
    ask "$lladdr%$veth" 7777
wait_for 5 bash -c "[ \$(wc -l <'$WORK/record.log') -ge 2 ]"
equal "positive controls recorded" 2 "$(wc -l <"$WORK/record.log")"
: >"$WORK/record.log"

escape_attempts() { # LABEL
    local inside="ip netns exec vpn timeout 10 python3 $PROBE ask"
    for proto in tcp udp; do
        local p=
        [ "$proto" = udp ] && p=udp
        for target in "$host_addr" 192.0.2.1 100.100.1.1; do
            refute "$1: $proto to $target, no mark" $inside "$target" 7777 $p timeout=1
            for mark in 0x6e73 1 0x6e74 0xffffffff; do
                refute "$1: $proto to $target, SO_MARK $mark" \
                    $inside "$target" 7777 $p mark=$mark timeout=1
            done
            refute "$1: $proto to $target, SO_BINDTODEVICE host0" \
                $inside "$target" 7777 $p dev=host0 timeout=1
            refute "$1: $proto to $target, SO_BINDTODEVICE host0 and SO_MARK" \
                $inside "$target" 7777 $p dev=host0 mark=0x6e73 timeout=1
        done
        refute "$1: $proto to the host's IPv6 link-local address" \
            $inside "$lladdr%host0" 7777 $p timeout=1
        refute "$1: $proto to the host's IPv6 link-local address, SO_MARK" \
            $inside "$lladdr%host0" 7777 $p mark=0x6e73 timeout=1
    done
    equal "$1: the host's recorder heard nothing" "" "$(cat "$WORK/record.log")"
}
escape_attempts "tunnel up"
equal "traffic still leaves through the tunnel" "10.9.0.2" "$(http_from_vpn 10.9.0.1)"

# --- a second up changes nothing -------------------------------------------------
state_of() { nft list ruleset; ip -n vpn rule show; ip -n vpn route show table all; ip -o link show;
    ip netns exec vpn nft list ruleset; ip -n vpn -o addr show; }
first=$(state_of)
check "up again" "$NSVPN" up vpn
equal "up twice adds nothing twice" "$first" "$(state_of)"
equal "one fwmark rule in the namespace" 1 "$(ip -n vpn rule show | grep -c fwmark)"
equal "TCP still answers after the second up" "$host_addr" "$(ask 127.0.0.1 9000)"

# --- with the tunnel dead the same holds ---------------------------------------
ip -n prov link set wgp down
refute "the tunnel is dead" http_from_vpn 10.9.0.1
escape_attempts "tunnel dead"
equal "the exposed port still answers from the host" "$host_addr" "$(ask 127.0.0.1 9000)"
ip -n prov link set wgp up

# --- down leaves nothing ---------------------------------------------------------
check "down" "$NSVPN" down vpn
equal "nothing of ours in the host's ruleset" "" "$(nft list ruleset)"
equal "the host's forwarding is back as it was" 0 "$(cat /proc/sys/net/ipv4/conf/h-tailnet/forwarding)"
after=$(host_snapshot; nft list ruleset)
equal "after down the host is as before" "" "$(diff <(echo "$before") <(echo "$after"))"
check "down again" "$NSVPN" down vpn

# --- the namespace made by someone else (netns@.service): it stays, clean --------
check "netns add" "$NSVPN" netns add vpn
check "up in an existing namespace" "$NSVPN" up vpn
check "down" "$NSVPN" down vpn
equal "nothing of ours left in the namespace's ruleset" "" "$(ip netns exec vpn nft list ruleset)"
equal "no rule left in the namespace" "$(ip netns add clean && ip -n clean rule show; ip netns del clean)" \
    "$(ip -n vpn rule show)"
equal "only lo left in the namespace" "lo" "$(ip -n vpn -o link show | awk -F': ' '{print $2}' | xargs)"
equal "tcp_fwmark_accept back to 0" 0 "$(ip netns exec vpn cat /proc/sys/net/ipv4/tcp_fwmark_accept)"
check "netns delete" "$NSVPN" netns delete vpn
finish
