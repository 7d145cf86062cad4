#!/usr/bin/env bash
# ExecStart of probe@NAME.service, the system tier's stand-in for a service
# attached to a VPN: it records what it sees in /run/nsvpn-test/NAME/ (the
# scenarios read it from outside), then stays up. The first file it writes,
# "started", is the proof that it ran at all.
set -uo pipefail
out=/run/nsvpn-test/${1:?usage: probe.sh NAME}
mkdir -p "$out"
date +%s.%N >"$out/started"
readlink /proc/self/ns/net >"$out/netns"
ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' >"$out/links"
cp /etc/resolv.conf "$out/resolv.conf"
grep '^hosts:' /etc/nsswitch.conf >"$out/nsswitch"
# the host's resolver sockets: present outside (the scenario makes them), hidden here
for socket in /run/nscd/socket /run/systemd/resolve/io.systemd.Resolve; do
    if [ -r "$socket" ] && [ "$(stat -c %a "$socket")" != 0 ]; then echo "$socket"; fi
done >"$out/resolver-sockets"
getent ahostsv4 probe.vpn.test | awk '{ print $1; exit }' >"$out/getent"
# the provider answers with the address it sees; the first packet starts the
# WireGuard handshake, so allow for a retry
curl -4 -sS --max-time 5 --retry 3 --retry-all-errors http://provider.vpn.test/ip \
    >"$out/http4" 2>"$out/http4.err"
curl -6 -sS --max-time 5 --retry 3 --retry-all-errors 'http://[fd09::1]/ip' \
    >"$out/http6" 2>"$out/http6.err"
touch "$out/done"
exec sleep infinity
