#!/usr/bin/env bash
# Benchmark: a TCP service inside a VPN's namespace, reached from the host
# through an exposed port (127.0.0.1:9000 -> veth -> the namespace), against the
# same service reached inside the namespace on its own loopback: the throughput
# of one connection and the rate of short connections, as ratios (goal >= 0.8).
#
#   bench/expose.sh [--rounds N] [--megabytes M] [--connections C] BUILD_DIR
#
# Runs as root, in a sandbox of its own (unshare --net --mount, a private /run):
# nothing of the machine is touched. The VPN's peer does not exist (the tunnel
# carries nothing here; exposure does not need it). Each round runs, in this
# order: throughput from the host, throughput inside, connections from the host,
# connections inside, each timed by bench/tcp_rate itself (how it is started is
# outside the clock). Exits non-zero only when a run fails (tcp_rate checks the
# byte count) or something is left after `nsvpn down`; 77 (skipped) when not
# root or a tool is missing. Timings are reported, never asserted.
set -euo pipefail

usage() {
    echo "Usage: $0 [--rounds N] [--megabytes M] [--connections C] BUILD_DIR" >&2
    exit 2
}
rounds=15 megabytes=512 conns=2000 build=
while (($#)); do
    case $1 in
    --rounds | --megabytes | --connections)
        (($# >= 2)) || usage
        declare "${1#--}=$2"
        shift 2
        ;;
    -*) usage ;;
    *)
        [[ -z $build ]] || usage
        build=$1
        shift
        ;;
    esac
done
conns=${connections:-$conns}
[[ -n $build && $rounds =~ ^[1-9][0-9]*$ ]] || usage

if [[ ${NSVPN_BENCH_EXPOSE_SANDBOX:-} != yes ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "$0: needs root (network namespaces); skipped" >&2
        exit 77
    fi
    for tool in unshare ip nft wireguard-go; do
        command -v "$tool" >/dev/null || { echo "$0: $tool is missing; skipped" >&2; exit 77; }
    done
    build=$(cd "$build" && pwd)
    for f in nsvpn bench/tcp_rate; do
        [[ -x $build/$f ]] || { echo "$0: $build/$f is missing: build it first" >&2; exit 1; }
    done
    export NSVPN_BENCH_EXPOSE_SANDBOX=yes
    exec unshare --net --mount bash "$(readlink -f "$0")" --rounds "$rounds" \
        --megabytes "$megabytes" --connections "$conns" "$build"
fi

export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
nsvpn=$build/nsvpn
tcp_rate=$build/bench/tcp_rate
server=
cleanup() {
    set +e
    [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    "$nsvpn" down bench >/dev/null 2>&1
}
trap cleanup EXIT

mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/netns /run/nsvpn /run/wireguard
ip link set lo up
key() { head -c 32 /dev/urandom | base64; }
cat >/run/nsvpn/bench.conf <<CONF
[Interface]
PrivateKey = $(key)
Address = 10.9.0.2/32
[Peer]
PublicKey = $(key)
AllowedIPs = 0.0.0.0/0
Endpoint = 192.0.2.2:51820
[Expose]
Port = 9000
CONF
chmod 600 /run/nsvpn/bench.conf
"$nsvpn" up bench 2>/dev/null

ip netns exec bench "$tcp_rate" serve 9000 /run/serve.ready &
server=$!
for _ in $(seq 200); do [[ -e /run/serve.ready ]] && break; sleep 0.01; done
[[ -e /run/serve.ready ]] || { echo "$0: the server did not start" >&2; exit 1; }

host_tp=() ns_tp=() host_cr=() ns_cr=()
# one untimed warm-up of each
"$tcp_rate" throughput 127.0.0.1 9000 64 >/dev/null
ip netns exec bench "$tcp_rate" throughput 127.0.0.1 9000 64 >/dev/null
for ((r = 0; r < rounds; r++)); do
    host_tp+=("$("$tcp_rate" throughput 127.0.0.1 9000 "$megabytes")")
    ns_tp+=("$(ip netns exec bench "$tcp_rate" throughput 127.0.0.1 9000 "$megabytes")")
    host_cr+=("$("$tcp_rate" connections 127.0.0.1 9000 "$conns")")
    ns_cr+=("$(ip netns exec bench "$tcp_rate" connections 127.0.0.1 9000 "$conns")")
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
show() { # LABEL UNIT VALUES...
    local label=$1 unit=$2
    shift 2
    printf '    %-44s median %10s %s  (min %s, max %s)\n' "$label" "$(median "$@")" "$unit" \
        "$(printf '%s\n' "$@" | sort -g | head -1)" "$(printf '%s\n' "$@" | sort -g | tail -1)"
}
echo "exposed port (host 127.0.0.1:9000 -> veth -> namespace) against the namespace's loopback,"
echo "$rounds rounds; throughput: one connection of $megabytes MiB; connections: $conns short ones"
show "throughput from the host (exposed)" MB/s "${host_tp[@]}"
show "throughput inside (loopback)" MB/s "${ns_tp[@]}"
show "connections from the host (exposed)" conn/s "${host_cr[@]}"
show "connections inside (loopback)" conn/s "${ns_cr[@]}"
awk -v a="$(median "${host_tp[@]}")" -v b="$(median "${ns_tp[@]}")" \
    'BEGIN {printf "ratio throughput (exposed / loopback): %.2f\n", a / b}'
awk -v a="$(median "${host_cr[@]}")" -v b="$(median "${ns_cr[@]}")" \
    'BEGIN {printf "ratio connections (exposed / loopback): %.2f\n", a / b}'

kill "$server" && wait "$server" 2>/dev/null || true
server=
"$nsvpn" down bench 2>/dev/null
left=$(nft list ruleset; ip -o link show | grep -v ' lo:' || true)
if [[ -n $left ]]; then
    echo "$0: FAIL: left after down: $left" >&2
    exit 1
fi
