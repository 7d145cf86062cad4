#!/usr/bin/env bash
# Benchmark: one cycle of `nsvpn netns add`, `nsvpn up`, `nsvpn down`,
# `nsvpn netns delete` against the same work done as the seed does it, with
# ip, wireguard-go and wg. See bench/README.md.
#
#   bench/cycle.sh [--runs N] [--pid-namespace] BUILD_DIR
#
# Runs as root, in a sandbox of its own: it re-executes itself under
# `unshare --net --mount`, with a private /run (tmpfs) and a copy-on-write
# /etc, and builds there a provider namespace with a WireGuard peer
# (wireguard-go) reachable over a veth. Nothing of the machine is touched.
# Then it alternates N cycles of each kind (after one untimed warm-up of each):
#
#   nsvpn: nsvpn netns add bench; nsvpn up bench; nsvpn down bench;
#          nsvpn netns delete bench
#   shell: ip netns add bench2; wireguard-go tmp; wg setconf; ip link set ...
#          (the seed's sequence, see shell_up and shell_down below)
#
# Each cycle is timed in two parts, up (netns add + up) and down (down + netns
# delete), summed; between them, outside the clock, every cycle is checked: the
# namespace must hold exactly what the first nsvpn cycle made (links, addresses,
# routes, resolv.conf), TCP over IPv4 and IPv6 must reach the provider through
# the tunnel; after the down, nothing may be left (links, addresses, routes,
# rules, namespaces, files, UAPI sockets, the wireguard-go process). Exits
# non-zero only when a cycle fails or leaves something behind; 77 (skipped)
# when not root or a tool is missing. Timings are reported, never asserted.
#
# The wireguard-go that `nsvpn up` starts outlives it: its parent is then the
# machine's init (systemd on a real machine), which reaps it when it exits,
# at once or, with some inits, seconds later. With --pid-namespace the sandbox
# gets a PID namespace of its own too, whose init is this script's bash, which
# reaps at once as systemd does: the machine's init then makes no difference
# (see bench/README.md).
set -euo pipefail

usage() {
    echo "Usage: $0 [--runs N] [--pid-namespace] BUILD_DIR" >&2
    exit 2
}

runs=20
pidns=no
build=
while (($#)); do
    case $1 in
    --runs)
        (($# >= 2)) || usage
        runs=$2
        shift 2
        ;;
    --pid-namespace)
        pidns=yes
        shift
        ;;
    -*) usage ;;
    *)
        [[ -z $build ]] || usage
        build=$1
        shift
        ;;
    esac
done
[[ -n $build && $runs =~ ^[1-9][0-9]*$ ]] || usage

# --- outside: check what is needed, then enter the sandbox ----------------------

if [[ ${NSVPN_BENCH_CYCLE_SANDBOX:-} != yes ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "$0: needs root (network namespaces, tun devices); skipped" >&2
        exit 77
    fi
    for tool in unshare ip wg wireguard-go python3 timeout; do
        if ! command -v "$tool" >/dev/null; then
            echo "$0: $tool is missing; skipped" >&2
            exit 77
        fi
    done
    build=$(cd "$build" && pwd)
    if [[ ! -x $build/nsvpn ]]; then
        echo "$0: $build/nsvpn is missing: build it first (ninja -C $build nsvpn)" >&2
        exit 1
    fi
    self=$(readlink -f "$0")
    export NSVPN_BENCH_CYCLE_SANDBOX=yes
    if [[ $pidns == yes ]]; then
        exec unshare --net --mount --pid --fork --mount-proc --kill-child \
            bash "$self" --runs "$runs" --pid-namespace "$build"
    fi
    exec unshare --net --mount bash "$self" --runs "$runs" "$build"
fi

# --- inside the sandbox: its own network namespace, its own mounts --------------

export LC_ALL=C # also makes $EPOCHREALTIME use a '.'
# systemd's default PATH (Debian's), as wg-NAME.service has it: both sides find
# wireguard-go, wg and ip there.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
hash -r
nsvpn=$build/nsvpn
work=/run/bench-cycle # in the private /run, made below
provider_pids=()      # processes of the topology, killed by PID at the end
shell_wg_pid=         # the shell sequence's wireguard-go while it runs

fail() {
    echo "$0: FAIL: $*" >&2
    phase=
    exit 1
}
trap 'echo "$0: line $LINENO: command failed: $BASH_COMMAND" >&2' ERR

phase=                 # what runs now, for the message when a command fails in it

cleanup() {
    local rc=$? failed=$BASH_COMMAND
    set +e
    trap - ERR
    if ((rc != 0)) && [[ -n $phase ]]; then
        echo "$0: FAIL: $phase: exit status $rc (last command: $failed)" >&2
        if [[ -s $work/$kind.log ]]; then
            echo "$0: its error output (last lines):" >&2
            tail -n 5 "$work/$kind.log" >&2
        fi
    fi
    # nsvpn's wireguard-go: nsvpn down stops it; kill it by its PID if that failed
    local pid
    pid=$(state_pid 2>/dev/null)
    if [[ -e /run/nsvpn/bench/state ]]; then
        "$nsvpn" down bench >/dev/null 2>&1
        [[ -n $pid ]] && kill "$pid" 2>/dev/null
    fi
    "$nsvpn" netns delete bench >/dev/null 2>&1
    if [[ -n $shell_wg_pid ]]; then
        kill "$shell_wg_pid" 2>/dev/null
        wait "$shell_wg_pid" 2>/dev/null
    fi
    ip netns del bench2 2>/dev/null
    for pid in "${provider_pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${provider_pids[@]}"; do wait "$pid" 2>/dev/null; done
    # /run and /etc are private mounts of this sandbox: they go with it
    # A failed cycle is a failure, whatever the status of the command (77 would
    # read as "skipped")
    ((rc == 0 || rc == 1)) || exit 1
    return 0 # (the ERR trap, back after a function returns, must not fire)
}
trap cleanup EXIT
# a signal ends the script through its EXIT trap
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The wireguard-go PID that nsvpn recorded for bench.
state_pid() {
    sed -n 's/^pid=//p' /run/nsvpn/bench/state
}

# wait_for SECONDS COMMAND...: polls a condition (setup only, not timed)
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /run/nsvpn /run/wireguard "$work/etc-upper" "$work/etc-work"
# /etc copy-on-write: both sides write /etc/netns/NAME/resolv.conf. /etc/netns
# itself is made here, as on a machine that has it: neither side removes it.
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc
mkdir -p /etc/netns
ip link set lo up

# --- the provider ----------------------------------------------------------------
#
#   host (this sandbox's namespace)           prov
#     veth nsvh 192.0.2.1/24 2001:db8:1::1  <->  veth nsvp 192.0.2.2/24 2001:db8:1::2
#                                                wireguard-go wgp 10.9.0.1/24 fd09::1/64,
#                                                UDP 51820; TCP :8080 answers with
#                                                the client's address
#   bench (nsvpn) or bench2 (shell): wg0 10.9.0.2/32 fd09::2/128, the same key

ip netns add prov
ip link add nsvh type veth peer name nsvp netns prov
ip addr add 192.0.2.1/24 dev nsvh
ip addr add 2001:db8:1::1/64 dev nsvh nodad
ip link set nsvh up
ip -n prov addr add 192.0.2.2/24 dev nsvp
ip -n prov addr add 2001:db8:1::2/64 dev nsvp nodad
ip -n prov link set nsvp up
ip -n prov link set lo up

(umask 077 && wg genkey >"$work/client.key" && wg genkey >"$work/provider.key")
client_pub=$(wg pubkey <"$work/client.key")
provider_pub=$(wg pubkey <"$work/provider.key")

ip netns exec prov env WG_PROCESS_FOREGROUND=1 wireguard-go wgp >"$work/wgp.log" 2>&1 &
provider_pids+=($!)
wait_for 10 test -S /run/wireguard/wgp.sock || fail "the provider's wireguard-go did not start"
ip netns exec prov wg set wgp private-key "$work/provider.key" listen-port 51820 \
    peer "$client_pub" allowed-ips 10.9.0.2/32,fd09::2/128
ip -n prov addr add 10.9.0.1/24 dev wgp
ip -n prov addr add fd09::1/64 dev wgp nodad
ip -n prov link set wgp up

# TCP on port 8080 (IPv4 and IPv6): answers each connection with its source address.
ip netns exec prov python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 8080))
s.listen(16)
open(sys.argv[1], "w").close()
while True:
    c, a = s.accept()
    c.sendall(a[0].removeprefix("::ffff:").encode() + b"\n")
    c.close()
' "$work/listener.ready" >"$work/listener.log" 2>&1 &
provider_pids+=($!)
wait_for 10 test -e "$work/listener.ready" || fail "the provider's TCP listener did not start"
# the kernel adds the veth's link-local address (and its routes) in its own time:
# wait for them, so that they are in the baseline of what must be left
wait_for 10 bash -c "ip -6 route show table local | grep -q 'fe80.* dev nsvh'" ||
    fail "no link-local address on nsvh"

# --- the two configurations --------------------------------------------------------

# nsvpn's: a provider-style wg-quick file, set to the userspace implementation
# (what the comparison is about, also on a kernel that has WireGuard)
{
    echo "[Interface]"
    echo "PrivateKey = $(cat "$work/client.key")"
    echo "Address = 10.9.0.2/32, fd09::2/128"
    echo "DNS = 10.9.0.1, vpn.test"
    echo
    echo "[Peer]"
    echo "PublicKey = $provider_pub"
    echo "AllowedIPs = 0.0.0.0/0, ::/0"
    echo "Endpoint = 192.0.2.2:51820"
    echo
    echo "[Namespace]"
    echo "Implementation = userspace"
} >/run/nsvpn/bench.conf
chmod 600 /run/nsvpn/bench.conf

# the shell's: what `wg setconf` reads (the seed's /path/to/wg.conf); the
# addresses and DNS are in the commands
wgconf=$work/wg-bench2.conf
(
    umask 077
    {
        echo "[Interface]"
        echo "PrivateKey = $(cat "$work/client.key")"
        echo
        echo "[Peer]"
        echo "PublicKey = $provider_pub"
        echo "AllowedIPs = 0.0.0.0/0, ::/0"
        echo "Endpoint = 192.0.2.2:51820"
    } >"$wgconf"
)

# A FIFO held open for reading and writing: `read -t` on it is a sleep without a
# fork, for the shell's poll of wireguard-go's socket.
mkfifo "$work/sleep"
exec {sleep_fd}<>"$work/sleep"

# Whether wireguard-go's UAPI socket listens: /proc/net/unix (this namespace's
# unix sockets) lists it with the flag __SO_ACCEPTCON, 00010000; read with
# builtins only, no fork. Its file existing is not enough: it exists from bind(),
# a moment before listen(), and `wg` takes a socket that refuses a connection
# for a stale one and deletes it (wireguard-go then exits, and wg fails with
# "Unable to modify interface: Protocol not supported").
# (wireguard-go names it /var/run/wireguard/IFNAME.sock.)
uapi_listening() { # IFNAME
    local num refs proto flags rest
    while read -r num refs proto flags rest; do
        [[ $flags == 00010000 && $rest == *"/wireguard/$1.sock" ]] && return 0
    done </proc/net/unix
    return 1
}

# --- the timed sequences -----------------------------------------------------------
#
# lap LABEL records the time since the previous lap (or mark) under LABEL, so
# that each command's share can be shown; reading $EPOCHREALTIME costs no fork.
# The laps of a part add up to the part's time.

laps=() # "KIND LABEL MICROSECONDS", for the current cycle
last=0
mark() { last=${EPOCHREALTIME/./}; }
lap() {
    local now=${EPOCHREALTIME/./}
    laps+=("$kind $1 $((now - last))")
    last=$now
}

nsvpn_up() {
    mark
    "$nsvpn" netns add bench
    lap "nsvpn_netns_add"
    "$nsvpn" up bench
    lap "nsvpn_up"
}

nsvpn_down() {
    mark
    "$nsvpn" down bench
    lap "nsvpn_down"
    "$nsvpn" netns delete bench
    lap "nsvpn_netns_delete"
}

# The seed's wg-up and netns@ ExecStart, with wireguard-go for the kernel's
# `ip link add wg0 type wireguard` (as wg-quick does when the kernel has no
# WireGuard): the tun is made in the host namespace, configured, moved into the
# namespace and renamed there; resolv.conf where `ip netns exec` finds it.
shell_up() {
    mark
    ip netns add bench2
    lap "ip_netns_add"
    WG_PROCESS_FOREGROUND=1 wireguard-go tmp >/dev/null 2>&1 &
    shell_wg_pid=$!
    local deadline=$((SECONDS + 10))
    until uapi_listening tmp; do
        kill -0 "$shell_wg_pid" 2>/dev/null || fail "wireguard-go tmp exited"
        ((SECONDS < deadline)) || fail "wireguard-go tmp did not listen within 10 s"
        read -r -t 0.001 -u "$sleep_fd" || true # 1 ms, as nsvpn polls
    done
    lap "wireguard-go_until_socket"
    wg setconf tmp "$wgconf"
    lap "wg_setconf"
    ip link set tmp netns bench2
    lap "ip_link_set_netns"
    ip -n bench2 link set tmp name wg0
    lap "ip_link_set_name"
    ip -n bench2 addr add 10.9.0.2/32 dev wg0
    lap "ip_addr_add_v4"
    ip -n bench2 addr add fd09::2/128 dev wg0
    lap "ip_addr_add_v6"
    ip -n bench2 link set lo up
    lap "ip_link_set_lo_up"
    ip -n bench2 link set wg0 up
    lap "ip_link_set_wg0_up"
    ip -n bench2 route add default dev wg0
    lap "ip_route_add_v4"
    ip -n bench2 -6 route add default dev wg0
    lap "ip_route_add_v6"
    mkdir -p /etc/netns/bench2
    printf 'nameserver 10.9.0.1\nsearch vpn.test\n' >/etc/netns/bench2/resolv.conf
    lap "resolv.conf"
}

# The seed's wg-down and netns@ ExecStop: wireguard-go exits when its tun goes.
shell_down() {
    mark
    ip -n bench2 link del wg0
    lap "ip_link_del"
    wait "$shell_wg_pid" || fail "wireguard-go tmp exited with status $?"
    shell_wg_pid=
    lap "wait_for_wireguard-go"
    rm -rf /etc/netns/bench2 /run/wireguard/tmp.sock
    lap "rm_files"
    ip netns del bench2
    lap "ip_netns_del"
}

# --- the checks (outside the clock) ------------------------------------------------

# What a namespace holds, without what the kernel numbers or makes up itself
# (link indexes, the IPv6 link-local address and its routes).
ns_snapshot() {
    ip -n "$1" -o link show | sed -E 's/^[0-9]+: //; s/@[^:]*:/:/'
    ip -n "$1" -o addr show | awk '$4 !~ /^fe80:/ {print $2, $3, $4}'
    ip -n "$1" -4 route show table all
    ip -n "$1" -6 route show table all | grep -v 'fe80::'
    ip -n "$1" -4 rule show
    ip -n "$1" -6 rule show
    ip netns exec "$1" sysctl -n net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6
    echo "resolv.conf: $(ip netns exec "$1" grep -v '^#' /etc/resolv.conf | xargs)"
}

# Everything either side could leave behind in the sandbox's "host".
host_snapshot() {
    ip -o link show | sed -E 's/^[0-9]+: //; s/@[^:]*:/:/; s/ link-netns.*//'
    ip -o addr show | awk '{print $2, $3, $4}'
    ip -4 route show table all
    ip -6 route show table all
    ip -4 rule show
    ip -6 rule show
    find /run/netns /run/wireguard /run/nsvpn /etc/netns 2>/dev/null | sort
    # wireguard-go processes in this network namespace, but the provider's
    local self p
    self=$(readlink /proc/self/ns/net)
    local comm ns
    for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$p/comm" || continue
        [[ $comm == wireguard-go && ${p#/proc/} != "${provider_pids[0]}" ]] || continue
        # an exited process that its parent has not reaped yet has no namespaces
        ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
        [[ $ns == "$self" ]] && echo "process ${p#/proc/} wireguard-go, running"
    done
    return 0
}

# through_tunnel NS ADDRESS: what the provider's listener saw as our address
through_tunnel() {
    timeout 10 ip netns exec "$1" bash -c \
        "exec 3<>/dev/tcp/$2/8080 && head -n 1 <&3" 2>/dev/null || echo "(no answer)"
}

baseline=$(host_snapshot)
reference= # the namespace as the first nsvpn cycle left it

check_up() { # KIND NS WG_PID
    local got
    got=$(ns_snapshot "$2")
    if [[ -z $reference ]]; then
        reference=$got
        echo "the namespace after nsvpn up (the reference for every cycle):"
        printf '    %s\n' "${reference//$'\n'/$'\n'    }"
        grep -q '^wg0: <POINTOPOINT,.*UP,LOWER_UP>' <<<"$got" || fail "$1: wg0 is not up"
        grep -qx 'wg0 inet 10.9.0.2/32' <<<"$got" || fail "$1: wg0 lacks 10.9.0.2/32"
        grep -qx 'wg0 inet6 fd09::2/128' <<<"$got" || fail "$1: wg0 lacks fd09::2/128"
        grep -q '^default dev wg0 scope link' <<<"$got" || fail "$1: no IPv4 default route by wg0"
        grep -q '^default dev wg0 metric 1024' <<<"$got" || fail "$1: no IPv6 default route by wg0"
        grep -qx 'resolv.conf: nameserver 10.9.0.1 search vpn.test' <<<"$got" ||
            fail "$1: wrong resolv.conf in the namespace"
    elif [[ $got != "$reference" ]]; then
        diff -u <(echo "$reference") <(echo "$got") >&2 || true
        fail "$1: the namespace differs from the first nsvpn cycle's (above)"
    fi
    [[ -n $3 && -d /proc/$3 ]] || fail "$1: no wireguard-go process"
    local a
    a=$(through_tunnel "$2" 10.9.0.1)
    [[ $a == 10.9.0.2 ]] || fail "$1: TCP over IPv4 through the tunnel: the provider saw '$a'"
    a=$(through_tunnel "$2" fd09::1)
    [[ $a == fd09::2 ]] || fail "$1: TCP over IPv6 through the tunnel: the provider saw '$a'"
}

check_down() { # KIND WG_PID
    local got
    got=$(host_snapshot)
    if [[ $got != "$baseline" ]]; then
        diff -u <(echo "$baseline") <(echo "$got") >&2 || true
        fail "$1: the cycle left something behind (above)"
    fi
    # The daemon must have exited; not yet reaped by its parent (state Z) is
    # exited. (The PID could have been reused, by something else: the name says.)
    local comm='' state=''
    read -r comm 2>/dev/null <"/proc/$2/comm" || true
    state=$(awk '/^State:/ {print $2}' "/proc/$2/status" 2>/dev/null || true)
    if [[ $comm == wireguard-go && -n $state && $state != Z ]]; then
        fail "$1: wireguard-go (PID $2, state $state) is still running after the down"
    fi
}

# --- run ---------------------------------------------------------------------------

# Per kind, one line per timed cycle: "up_us down_us"; and all laps.
declare -A cycles
all_laps=()

# cycle KIND TIMED NUMBER: one cycle of KIND, checked; recorded when TIMED is yes
cycle() {
    kind=$1
    local t0 t1 t2 t3 pid
    laps=()
    phase="the up of $kind cycle $3"
    t0=${EPOCHREALTIME/./}
    "${kind}_up" 2>>"$work/$kind.log"
    t1=${EPOCHREALTIME/./}
    phase=
    if [[ $kind == nsvpn ]]; then
        pid=$(state_pid)
        check_up nsvpn bench "$pid"
    else
        pid=$shell_wg_pid
        check_up shell bench2 "$pid"
    fi
    phase="the down of $kind cycle $3"
    t2=${EPOCHREALTIME/./}
    "${kind}_down" 2>>"$work/$kind.log"
    t3=${EPOCHREALTIME/./}
    phase=
    check_down "$kind" "$pid"
    if [[ $2 == yes ]]; then
        cycles[$kind]+="$((t1 - t0)) $((t3 - t2))"$'\n'
        all_laps+=("${laps[@]}")
    fi
}

echo "nsvpn: $nsvpn"
echo "wireguard-go: $(command -v wireguard-go) ($(wireguard-go --version | head -n 1)); $(ip -V)"
echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $pidns == yes ]]; then
    echo "orphans (nsvpn's wireguard-go after nsvpn up exits) are reaped by this script," \
        "PID 1 of the sandbox's own PID namespace"
else
    echo "orphans (nsvpn's wireguard-go after nsvpn up exits) are reaped by the machine's" \
        "PID 1, $(tr '\0' ' ' </proc/1/cmdline | cut -c1-60 | xargs) (or a subreaper)"
fi
echo "one untimed warm-up cycle of each kind (cycle 0), then $runs of each, alternated" \
    "(nsvpn, shell, nsvpn, ...)"
cycle nsvpn no 0
cycle shell no 0
for ((i = 1; i <= runs; i++)); do
    cycle nsvpn yes "$i"
    cycle shell yes "$i"
done
echo "every cycle passed its checks: the namespace as the first nsvpn cycle made it," \
    "TCP over IPv4 and IPv6 through the tunnel, nothing left after the down"

# --- report ------------------------------------------------------------------------

# stats: reads microseconds, one a line; prints "mean median min max" in ms
stats() {
    sort -n | awk '{ v[NR] = $1; s += $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.3f %.3f %.3f %.3f\n", s / NR / 1000, m / 1000, v[1] / 1000, v[NR] / 1000 }'
}
line() { # LABEL "mean median min max"
    local s
    read -r -a s <<<"$2"
    printf '    %-20s mean %8.3f ms  median %8.3f ms  min %8.3f ms  max %8.3f ms\n' \
        "$1" "${s[0]}" "${s[1]}" "${s[2]}" "${s[3]}"
}

declare -A cycle_stats
for kind in nsvpn shell; do
    data=${cycles[$kind]}
    cycle_stats[$kind]=$(awk 'NF {print $1 + $2}' <<<"$data" | stats)
    if [[ $kind == nsvpn ]]; then
        echo "nsvpn (nsvpn netns add, up, down, netns delete: 4 commands):"
    else
        echo "shell sequence (the seed's: ip netns add, wireguard-go, wg setconf, 8 more ip," \
            "mkdir; down: ip link del, wait, rm, ip netns del):"
    fi
    line "cycle" "${cycle_stats[$kind]}"
    line "up part" "$(awk 'NF {print $1}' <<<"$data" | stats)"
    line "down part" "$(awk 'NF {print $2}' <<<"$data" | stats)"
    echo "    per step, median:"
    # the laps of this kind, in the order they happen, each with its median
    printf '%s\n' "${all_laps[@]}" | awk -v k="$kind" '$1 == k {print $2, $3}' |
        awk '!($1 in seen) { seen[$1] = 1; order[++n] = $1 } { v[$1] = v[$1] " " $2 }
            END { for (i = 1; i <= n; i++) print order[i], v[order[i]] }' |
        while read -r label values; do
            printf '        %-28s %8.3f ms\n' "${label//_/ }" \
                "$(tr ' ' '\n' <<<"$values" | stats | cut -d' ' -f2)"
        done
done
read -r nsvpn_mean nsvpn_median _ <<<"${cycle_stats[nsvpn]}"
read -r shell_mean shell_median _ <<<"${cycle_stats[shell]}"
awk -v a="$nsvpn_median" -v b="$shell_median" \
    'BEGIN { printf "ratio (nsvpn cycle / shell sequence): %.2f\n", a / b }'
awk -v a="$nsvpn_mean" -v b="$shell_mean" 'BEGIN { printf "    ratio of means: %.2f\n", a / b }'
