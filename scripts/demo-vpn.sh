#!/usr/bin/env bash
# nsvpn's main job, live, without a VPN account. A throwaway "provider" network
# namespace runs a real WireGuard peer (wireguard-go) and a small web and DNS
# service (examples/demo-provider.py); the demo writes /run/nsvpn/demo.conf for
# it, brings the VPN "demo" up, shows a request leaving through the tunnel (the
# provider sees the tunnel address), a name resolved by the VPN's resolver and a
# command run as nobody, takes the VPN down and removes everything it made.
#
# With systemd as PID 1 the VPN is started the way a user starts theirs
# (systemctl daemon-reload, systemctl start wg-demo). Otherwise (a container, a
# chroot) the demo runs in a network and mount namespace of its own (unshare
# --net --mount, with a private /run and a copy-on-write /etc), so that the
# machine's links and files are not touched, and runs there what wg-demo.service
# runs: nsvpn up demo, nsvpn down demo. NSVPN_DEMO_MODE=direct picks the second
# way on a systemd machine too.
#
# It uses the installed nsvpn (the first in PATH). Exit status 0 only when the
# request went through the tunnel. Only processes it started are stopped, by
# PID. No private key is printed: keys are made with wg genkey into mode-0600
# files under /run and the configuration names them with PrivateKeyFile=.
#
# Run as root: sudo scripts/demo-vpn.sh   (scripts/demo.sh installs, then runs it)
set -euo pipefail
unset NSVPN_ROOT # the real configuration directories

SELF=$(readlink -f "$0")
PROVIDER_PY=$(dirname "$(dirname "$SELF")")/examples/demo-provider.py

VPN=demo
PROV_NS=nsvpn-demo-provider  # the provider's namespace
VETH_HOST=nsvdemo-host       # the veth pair between the host and the provider
VETH_PROV=nsvdemo-prov
PROV_WG=nsvdemo-wg           # the provider's WireGuard interface
HOST_ADDR=198.51.100.1       # TEST-NET-2 (RFC 5737): carries the encrypted UDP only
PROV_ADDR=198.51.100.2
PREFIX=198.51.100.0/24
WG_PORT=51820
PROV_TUN4=10.9.0.1           # inside the tunnel: the provider...
PROV_TUN6=fd09::1
CLIENT_TUN4=10.9.0.2         # ...and the VPN namespace's addresses
CLIENT_TUN6=fd09::2
LOOKUP=provider.nsvpn.test   # a name only the provider's resolver knows

PIDS=()     # processes this script started
RUN=        # keys, logs; mode 0700 under /run
CLIENT_PID= # the VPN's wireguard-go (started by nsvpn up), "PID START"

if [ -t 1 ]; then bold=$'\e[1m' off=$'\e[0m'; else bold='' off=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
say() { printf '   %s\n' "$*"; }
# quote ARGS...: the command as one would type it
quote() {
    local a out=''
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $a"; else out+=" ${a@Q}"; fi
    done
    printf '%s' "${out# }"
}
# run COMMAND...: prints it, then runs it with its output indented
run() {
    printf '$ %s\n' "$(quote "$@")"
    "$@" 2>&1 | sed 's/\r$//; s/^/   /'
    return "${PIPESTATUS[0]}"
}
die() {
    printf '\n%sdemo FAILED: %s%s\n' "$bold" "$*" "$off" >&2
    exit 1
}

# wait_for SECONDS COMMAND...: polls a condition, at most SECONDS long
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
# alive PID START: the process that had this start time is still there
alive() {
    local state
    [ -n "${1:-}" ] && [ "$(start_time "$1")" = "${2:-}" ] || return 1
    state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
    [ -n "$state" ] && [ "$state" != Z ]
}
# Every process the demo started, for the final check of the direct mode.
remember() {
    if [ -n "${NSVPN_DEMO_PIDFILE:-}" ]; then echo "$1 $(start_time "$1")" >>"$NSVPN_DEMO_PIDFILE"; fi
}

# background NAME COMMAND...: starts a process we own, remembers its PID
background() {
    local name=$1
    shift
    "$@" >"$RUN/$name.log" 2>&1 &
    PIDS+=($!)
    remember $!
}

preflight() {
    [ "$(id -u)" = 0 ] || die "run as root: sudo $0"
    local tool
    for tool in nsvpn wireguard-go wg ip python3 unshare; do
        command -v "$tool" >/dev/null || die "$tool is not installed (scripts/deps.sh installs it)"
    done
    [ -r "$PROVIDER_PY" ] || die "$PROVIDER_PY is missing"
}

# The provider: a namespace joined to this one by a veth, a WireGuard peer that
# knows the client's public key, a web server and a DNS server on its tunnel
# addresses.
provider_up() {
    step "A throwaway VPN provider: namespace $PROV_NS, a real WireGuard peer (wireguard-go) and a web and a DNS service"
    (umask 077 && wg genkey >"$RUN/client.key" && wg genkey >"$RUN/provider.key")
    wg pubkey <"$RUN/client.key" >"$RUN/client.pub"
    wg pubkey <"$RUN/provider.key" >"$RUN/provider.pub"
    say "keys made with wg genkey into $RUN/client.key and provider.key (mode 0600, never printed)"

    ip netns add "$PROV_NS"
    ip link add "$VETH_HOST" type veth peer name "$VETH_PROV" netns "$PROV_NS"
    ip addr add "$HOST_ADDR/24" dev "$VETH_HOST"
    ip link set "$VETH_HOST" up
    ip -n "$PROV_NS" addr add "$PROV_ADDR/24" dev "$VETH_PROV"
    ip -n "$PROV_NS" link set "$VETH_PROV" up
    ip -n "$PROV_NS" link set lo up
    say "veth $VETH_HOST $HOST_ADDR (this side) <-> $VETH_PROV $PROV_ADDR (the provider)"

    background provider-wg ip netns exec "$PROV_NS" env WG_PROCESS_FOREGROUND=1 wireguard-go "$PROV_WG"
    wait_for 10 test -S "/run/wireguard/$PROV_WG.sock" ||
        die "the provider's wireguard-go did not start: $(cat "$RUN/provider-wg.log")"
    ip netns exec "$PROV_NS" wg set "$PROV_WG" private-key "$RUN/provider.key" listen-port "$WG_PORT" \
        peer "$(cat "$RUN/client.pub")" allowed-ips "$CLIENT_TUN4/32,$CLIENT_TUN6/128"
    ip -n "$PROV_NS" addr add "$PROV_TUN4/24" dev "$PROV_WG"
    ip -n "$PROV_NS" addr add "$PROV_TUN6/64" dev "$PROV_WG" nodad
    ip -n "$PROV_NS" link set "$PROV_WG" up
    say "WireGuard $PROV_WG listening on $PROV_ADDR:$WG_PORT, tunnel addresses $PROV_TUN4 $PROV_TUN6"

    background provider-http ip netns exec "$PROV_NS" python3 "$PROVIDER_PY" http 80 "$RUN/http.ready" \
        "$PROV_TUN4" "$PROV_TUN6"
    background provider-dns ip netns exec "$PROV_NS" python3 "$PROVIDER_PY" dns 53 "$PROV_TUN4" "$PROV_TUN6" \
        "$RUN/dns.queries" "$RUN/dns.ready" "$PROV_TUN4" "$PROV_TUN6"
    wait_for 10 test -e "$RUN/http.ready" -a -e "$RUN/dns.ready" ||
        die "the provider's services did not start: $(cat "$RUN"/provider-*.log)"
    touch "$RUN/dns.queries"
    say "web service on $PROV_TUN4:80 and [$PROV_TUN6]:80 (answers with the address it sees)"
    say "DNS on $PROV_TUN4:53 (answers every name with $PROV_TUN4 / $PROV_TUN6)"
}

write_config() {
    step "The VPN's configuration, as a provider would hand it out: /run/nsvpn/$VPN.conf"
    mkdir -p /run/nsvpn
    (
        umask 077
        cat >"/run/nsvpn/$VPN.conf" <<EOF
# Written by scripts/demo-vpn.sh for its throwaway provider; removed at its end.
[Interface]
PrivateKeyFile = $RUN/client.key
Address = $CLIENT_TUN4/32, $CLIENT_TUN6/128
DNS = $PROV_TUN4

[Peer]
PublicKey = $(cat "$RUN/provider.pub")
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = $PROV_ADDR:$WG_PORT

[Namespace]
AutoStart = no

[Expose]
Port = 8080
EOF
    )
    run cat "/run/nsvpn/$VPN.conf"
    run nsvpn validate "$VPN" || die "nsvpn validate $VPN failed"
}

remember_client() {
    local state=/run/nsvpn/$VPN/state
    [ -r "$state" ] || die "nsvpn up left no $state"
    CLIENT_PID="$(sed -n 's/^pid=//p' "$state") $(sed -n 's/^pid_start=//p' "$state")"
    if [ -n "${NSVPN_DEMO_PIDFILE:-}" ]; then echo "$CLIENT_PID" >>"$NSVPN_DEMO_PIDFILE"; fi
}

# http_from_vpn ADDRESS: a GET to the provider's web service from inside the VPN;
# prints the answer, sets SEEN to the address the provider saw.
http_from_vpn() {
    local host=$1 out
    local script="exec 3<>/dev/tcp/$host/80 && printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3 && cat <&3"
    printf '$ %s\n' "$(quote nsvpn exec "$VPN" -- bash -c "$script")"
    local rc=0
    out=$(timeout 20 nsvpn exec "$VPN" -- bash -c "$script" 2>&1 | tr -d '\r') || rc=$?
    if [ "$rc" = 124 ]; then out+="${out:+$'\n'}(no answer within 20 s)"; fi
    printf '%s\n' "$out" | sed 's/^/   /'
    SEEN=''
    if [ "$rc" = 0 ]; then SEEN=$(printf '%s\n' "$out" | tail -n 1); fi
}

demonstrate() {
    step "Inside the namespace $VPN: lo, wg0 and host0 (the veth of [Expose]), and the tunnel is the only route out"
    run ip -n "$VPN" addr
    run ip -n "$VPN" route
    run ip -n "$VPN" -6 route
    local links
    links=$(ip -n "$VPN" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | xargs)
    [ "$links" = "host0 lo wg0" ] ||
        die "the namespace has the links '$links', not 'host0 lo wg0' (host0: the veth of [Expose])"

    step "A web request from inside the VPN to the provider's web service"
    http_from_vpn "$PROV_TUN4"
    [ "$SEEN" = "$CLIENT_TUN4" ] || die "the request did not go through the tunnel (the provider saw '${SEEN:-nothing}')"
    printf '%s=> the provider sees you as %s (the tunnel address)%s\n' "$bold" "$SEEN" "$off"
    http_from_vpn "$PROV_TUN6"
    [ "$SEEN" = "$CLIENT_TUN6" ] || die "the IPv6 request did not go through the tunnel (the provider saw '${SEEN:-nothing}')"
    printf '%s=> over IPv6 too: the provider sees you as %s (the tunnel address)%s\n' "$bold" "$SEEN" "$off"

    step "The provider's side: the peer it handshook with, and where its encrypted packets come from"
    run ip netns exec "$PROV_NS" wg show "$PROV_WG" endpoints
    run ip netns exec "$PROV_NS" wg show "$PROV_WG" transfer
    ip netns exec "$PROV_NS" wg show "$PROV_WG" latest-handshakes | awk '{exit !($2 > 0)}' ||
        die "the provider's WireGuard has had no handshake"
    say "(the encrypted UDP leaves from $HOST_ADDR, outside the VPN namespace; inside, only wg0)"

    step "DNS inside the VPN is the VPN's"
    run nsvpn exec "$VPN" -- cat /etc/resolv.conf
    local answer
    printf '$ %s\n' "$(quote nsvpn exec "$VPN" -- getent ahostsv4 "$LOOKUP")"
    answer=$(timeout 20 nsvpn exec "$VPN" -- getent ahostsv4 "$LOOKUP" 2>&1) || answer+="${answer:+$'\n'}(no answer)"
    printf '%s\n' "$answer" | sed 's/^/   /'
    [ "$(printf '%s\n' "$answer" | awk 'NR == 1 {print $1}')" = "$PROV_TUN4" ] ||
        die "$LOOKUP was not answered by the VPN's resolver"
    grep -q "^$LOOKUP 1 $CLIENT_TUN4\$" "$RUN/dns.queries" ||
        die "the provider's resolver did not see the query from $CLIENT_TUN4"
    say "the provider's resolver logged: $(grep -m1 "^$LOOKUP 1 " "$RUN/dns.queries" |
        awk '{print "query for " $1 " (type A) from " $3}')"
    printf '%s=> answered by the VPN'\''s resolver, asked through the tunnel%s\n' "$bold" "$off"

    step "A web UI inside the VPN, reached from the host at 127.0.0.1:8080 ([Expose] Port = 8080)"
    say "(a web server inside the namespace, as nobody: nsvpn exec $VPN --user nobody -- python3 -m http.server 8080)"
    background webui nsvpn exec "$VPN" --user nobody -- python3 -m http.server --bind 0.0.0.0 \
        --directory /usr/share 8080
    wait_for 20 bash -c "ip netns exec '$VPN' ss -Htln sport = :8080 | grep -q ." ||
        die "the web server inside did not start"
    local page
    printf '$ %s\n' "exec 3<>/dev/tcp/127.0.0.1/8080; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; head -n 1 <&3"
    page=$(timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET / HTTP/1.0\r\n\r\n" >&3 &&
        head -n 1 <&3' 2>&1 | tr -d '\r') || page+="${page:+$'\n'}(no answer)"
    say "$page"
    [[ $page == "HTTP/1.0 200"* ]] || die "127.0.0.1:8080 on the host did not reach the web server inside"
    printf '%s=> localhost:8080 on the host is the web server inside the VPN%s\n' \
        "$bold" "$off"

    step "Any command, as any user"
    local who
    printf '$ %s\n' "$(quote nsvpn exec "$VPN" --user nobody -- id)"
    who=$(nsvpn exec "$VPN" --user nobody -- id 2>&1) || die "nsvpn exec --user nobody failed: $who"
    say "$who"
    [[ $who == uid=65534\(* ]] || die "nsvpn exec --user nobody did not run as nobody"
}

# After the VPN is down: nothing of it is left.
check_vpn_gone() {
    [ ! -e "/run/netns/$VPN" ] || die "/run/netns/$VPN is still there"
    [ ! -e "/run/nsvpn/$VPN" ] || die "/run/nsvpn/$VPN is still there"
    [ ! -e "/etc/netns/$VPN/resolv.conf" ] || die "/etc/netns/$VPN/resolv.conf is still there"
    # shellcheck disable=SC2086
    ! alive $CLIENT_PID || die "the VPN's wireguard-go (PID ${CLIENT_PID% *}) is still running"
    local tun
    tun=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^nsv[0-9a-f]{8}$' || true)
    [ -z "$tun" ] || die "the VPN's tun $tun is still in the host namespace"
    ! ip -o link show | grep -q ': nsx' || die "the veth of [Expose] is still in the host namespace"
    printf '%s=> the namespace %s, its wireguard-go, its links and its files under /run are gone%s\n' \
        "$bold" "$VPN" "$off"
}

# Stops what we started, by PID, and removes the provider. Runs on every exit.
remove_provider() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
    if [ -e "/run/netns/$PROV_NS" ]; then ip netns delete "$PROV_NS" || true; fi
    if ip link show "$VETH_HOST" >/dev/null 2>&1; then ip link delete "$VETH_HOST" || true; fi
}

# The VPN's wireguard-go, if nsvpn down could not stop it (a last resort).
stop_client() {
    # shellcheck disable=SC2086
    if alive $CLIENT_PID; then kill "${CLIENT_PID% *}" 2>/dev/null || true; fi
}

# ---------------------------------------------------------------------------
# Directly: inside `unshare --net --mount`, what the units would run.

direct_inside() {
    mount --make-rprivate /
    mount -t tmpfs -o mode=0755 tmpfs /run
    RUN=/run/nsvpn-demo
    mkdir -m 0700 "$RUN"
    mkdir -p /run/netns /run/nsvpn /run/wireguard
    local d
    for d in /usr/local/lib/nsvpn /usr/lib/nsvpn; do
        if [ -e "$d/$VPN.conf.d" ]; then die "$d/$VPN.conf.d would change the demo's configuration"; fi
    done
    # nsvpn up writes /etc/netns/demo/resolv.conf: /etc copy-on-write, in this /run
    mkdir "$RUN/etc-upper" "$RUN/etc-work"
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$RUN/etc-upper,workdir=$RUN/etc-work" /etc
    # a VPN of this machine named demo stays as it is, but out of the demo's sight
    rm -rf "/etc/nsvpn/$VPN.conf" "/etc/nsvpn/$VPN.conf.d"
    ip link set lo up
    trap direct_cleanup EXIT

    provider_up
    write_config

    step "With systemd, daemon-reload would make wg-$VPN.service from it (the installed generator, into a scratch directory):"
    local generator
    generator=$(pkg-config --variable=systemdsystemgeneratordir systemd 2>/dev/null)/nsvpn-generator
    if [ -x "$generator" ]; then
        mkdir "$RUN/units"
        SYSTEMD_LOG_TARGET=console "$generator" "$RUN/units"
        sed -n '/^\[Service\]/,$p' "$RUN/units/wg-$VPN.service" | sed 's/^/   /'
        say "PID 1 is not systemd here, so the demo runs those commands itself."
    else
        say "(no nsvpn-generator installed at $generator)"
    fi

    step "nsvpn up $VPN   (what systemctl start wg-$VPN runs)"
    run nsvpn up "$VPN" || die "nsvpn up $VPN failed"
    remember_client

    demonstrate

    step "nsvpn down $VPN   (what systemctl stop wg-$VPN runs)"
    run nsvpn down "$VPN" || die "nsvpn down $VPN failed"
    run ip netns list
    run ls -A /run/nsvpn
    check_vpn_gone

    step "Removing the provider"
    remove_provider
    rm -f "/run/nsvpn/$VPN.conf"
    run ip -br link
    say "(only this private namespace's lo is left; it, its /run and its /etc go when the demo exits)"
}

direct_cleanup() {
    local rc=$?
    set +e
    [ -e "/run/nsvpn/$VPN/state" ] && nsvpn down "$VPN"
    stop_client
    remove_provider
    exit "$rc"
}

direct() {
    step "PID 1 is not systemd: the demo runs in a network and mount namespace of its own"
    say "(unshare --net --mount, a private /run and a copy-on-write /etc: this machine's links and files stay as they are)"
    say "using $(command -v nsvpn) ($(nsvpn --version))"
    local rc=0 pid start left=''
    PIDFILE=$(mktemp /run/nsvpn-demo-pids.XXXXXX)
    trap 'rm -f "$PIDFILE"' EXIT
    # Inside, /run is another one: this file is reached through our own root.
    NSVPN_DEMO_PIDFILE=/proc/$$/root$PIDFILE unshare --net --mount -- "$SELF" --inside || rc=$?
    # Whatever ran in there must be gone now.
    while read -r pid start; do
        if alive "$pid" "$start"; then
            left+=" $pid"
            kill "$pid" 2>/dev/null || true
        fi
    done <"$PIDFILE"
    if [ -n "$left" ]; then
        printf 'demo FAILED: processes it started were still running (now stopped):%s\n' "$left" >&2
        rc=1
    fi
    if [ "$rc" = 0 ]; then
        printf '\n%sThe demo passed: the request went through the tunnel, and nothing is left.%s\n' \
            "$bold" "$off"
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------
# With systemd as PID 1, on the machine itself: the user's path.
#
# NOT RUN by the author: it was written for, but could not be run on, the
# development machine (no systemd as PID 1 there). Read it with that in mind.
# It changes the host only by: a veth nsvdemo-host with 198.51.100.1/24, the
# namespaces nsvpn-demo-provider and demo, /run/nsvpn/demo.conf and the units
# generated from it, and a directory /run/nsvpn-demo.XXXXXX; all removed at exit.

SYSTEMD_STARTED=0 SYSTEMD_CONFIG=0 SYSTEMD_RELOADED=0
CREATED_DIRS=() # directories that were not there before, removed at the end when empty

systemd_preflight() {
    local d
    for d in /etc/nsvpn /run/nsvpn /usr/local/lib/nsvpn /usr/lib/nsvpn; do
        if [ -e "$d/$VPN.conf" ] || [ -e "$d/$VPN.conf.d" ]; then
            die "this machine has a VPN named $VPN already ($d/$VPN.conf); the demo leaves it alone"
        fi
    done
    for d in "wg-$VPN.service" "netns@$VPN.service"; do
        if systemctl is-active --quiet "$d"; then die "$d is active; the demo leaves it alone"; fi
    done
    [ ! -e "/run/netns/$VPN" ] || die "a namespace /run/netns/$VPN exists already"
    [ ! -e "/run/netns/$PROV_NS" ] || die "a namespace /run/netns/$PROV_NS exists already"
    ! ip link show "$VETH_HOST" >/dev/null 2>&1 || die "a link $VETH_HOST exists already"
    [ ! -e "/run/wireguard/$PROV_WG.sock" ] || die "/run/wireguard/$PROV_WG.sock exists already"
    [ -z "$(ip -o addr show to "$PREFIX")" ] || die "this machine uses $PREFIX; the demo would collide with it"
    for d in /run/nsvpn /run/wireguard /etc/netns "/etc/netns/$VPN"; do
        [ -e "$d" ] || CREATED_DIRS=("$d" "${CREATED_DIRS[@]}") # deepest first
    done
}

systemd_cleanup() {
    local rc=$?
    set +e
    if [ "$SYSTEMD_STARTED" = 1 ]; then
        systemctl stop "wg-$VPN.service" "netns@$VPN.service"
        systemctl reset-failed "wg-$VPN.service" "netns@$VPN.service" 2>/dev/null
    fi
    [ "$SYSTEMD_CONFIG" = 1 ] && rm -f "/run/nsvpn/$VPN.conf"
    [ "$SYSTEMD_RELOADED" = 1 ] && systemctl daemon-reload
    SYSTEMD_STARTED=0 SYSTEMD_CONFIG=0 SYSTEMD_RELOADED=0
    stop_client
    remove_provider
    [ -n "$RUN" ] && rm -rf "$RUN"
    local d
    for d in "${CREATED_DIRS[@]}"; do rmdir "$d" 2>/dev/null; done
    set -e
    return "$rc"
}

with_systemd() {
    step "PID 1 is systemd: the demo starts the VPN as a user would (systemctl start wg-$VPN)"
    say "using $(command -v nsvpn) ($(nsvpn --version))"
    systemd_preflight
    RUN=$(mktemp -d /run/nsvpn-demo.XXXXXX) # mode 0700
    trap 'systemd_cleanup; exit' EXIT

    provider_up
    SYSTEMD_CONFIG=1
    write_config

    step "systemctl daemon-reload: nsvpn-generator makes wg-$VPN.service from it"
    SYSTEMD_RELOADED=1
    run systemctl daemon-reload || die "systemctl daemon-reload failed"
    run systemctl cat "wg-$VPN.service" || die "no wg-$VPN.service after daemon-reload"

    step "systemctl start wg-$VPN"
    SYSTEMD_STARTED=1
    if ! run systemctl start "wg-$VPN.service"; then
        run journalctl -u "wg-$VPN.service" -u "netns@$VPN.service" -n 30 --no-pager || true
        die "systemctl start wg-$VPN failed"
    fi
    run systemctl --no-pager status "wg-$VPN.service" || true
    remember_client

    demonstrate

    step "systemctl stop wg-$VPN (and netns@$VPN, which holds the namespace), config removed, daemon-reload"
    run systemctl stop "wg-$VPN.service" "netns@$VPN.service" || die "systemctl stop failed"
    SYSTEMD_STARTED=0
    rm -f "/run/nsvpn/$VPN.conf"
    SYSTEMD_CONFIG=0
    run systemctl daemon-reload || die "systemctl daemon-reload failed"
    SYSTEMD_RELOADED=0
    run systemctl show -p LoadState -p ActiveState "wg-$VPN.service"
    [ "$(systemctl show -p LoadState --value "wg-$VPN.service")" = not-found ] ||
        die "wg-$VPN.service is still known to systemd after its configuration was removed"
    check_vpn_gone

    step "Removing the provider"
    local started=("${PIDS[@]}") pid
    systemd_cleanup
    ! ip link show "$VETH_HOST" >/dev/null 2>&1 || die "$VETH_HOST is still there"
    [ ! -e "/run/netns/$PROV_NS" ] || die "/run/netns/$PROV_NS is still there"
    for pid in "${started[@]}"; do kill -0 "$pid" 2>/dev/null && die "PID $pid is still running"; done
    say "the veth, the provider's namespace and its processes, /run/nsvpn/$VPN.conf and $RUN are gone"
    printf '\n%sThe demo passed: the request went through the tunnel, and nothing is left.%s\n' \
        "$bold" "$off"
}

# ---------------------------------------------------------------------------

trap 'exit 130' INT
trap 'exit 143' TERM HUP
if [ "${1:-}" = --inside ]; then
    direct_inside
    exit 0
fi

preflight
mode=${NSVPN_DEMO_MODE:-}
if [ -z "$mode" ]; then
    # sd_booted(3): systemd as PID 1 makes /run/systemd/system
    if [ -d /run/systemd/system ]; then mode=systemd; else mode=direct; fi
fi
case $mode in
direct) direct ;;
systemd) with_systemd ;;
*) die "NSVPN_DEMO_MODE is direct or systemd, not '$mode'" ;;
esac
