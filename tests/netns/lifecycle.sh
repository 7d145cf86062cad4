#!/usr/bin/env bash
# up twice, down twice, down after the configuration is gone, up after kill -9 in
# the middle of up, a failing step undone, netns add/delete, configuration errors:
# all clean, nothing left behind, never "File exists".
source "$(dirname "$0")/lib.sh"
private_machine
provider
vpn_config
before=$(host_snapshot)

state_of() { cat /run/nsvpn/vpn/state 2>/dev/null || true; }
pid_of_daemon() { sed -n 's/^pid=//p' /run/nsvpn/vpn/state; }
ns_view() {
    ip -n vpn -o link show | awk -F': ' '{print $1, $2}'
    ip -n vpn -o addr show | awk '{print $2, $4}'
    ip -n vpn route show table all
}
traffic_ok() { [ "$(http_from_vpn 10.9.0.1)" = 10.9.0.2 ]; }
nothing_left() {
    [ "$(host_snapshot)" = "$before" ] && [ ! -e /run/netns/vpn ] && [ ! -e /run/nsvpn/vpn ] &&
        [ -z "$(ls /run/wireguard | grep -v wgp.sock)" ]
}

# --- up twice changes nothing
check "up" "$NSVPN" up vpn
first=$(ns_view)
daemon=$(pid_of_daemon)
check "traffic after up" traffic_ok
check "up again" "$NSVPN" up vpn
equal "the second up changed nothing in the namespace" "$first" "$(ns_view)"
equal "the second up kept the daemon" "$daemon" "$(pid_of_daemon)"
check "traffic after the second up" traffic_ok
refute "no key in any process's command line" grep -qF "$(cat "$WORK/client.key")" /proc/[0-9]*/cmdline
refute "no key in the state file" grep -qF "$(cat "$WORK/client.key")" /run/nsvpn/vpn/state

# --- down twice
check "down" "$NSVPN" down vpn
check "the daemon is gone" bash -c "! kill -0 $daemon 2>/dev/null || grep -q '^State:.*Z' /proc/$daemon/status"
check "nothing left after down" nothing_left
check "down again (nothing to do)" "$NSVPN" down vpn

# --- down after the configuration was deleted
check "up for a config that will be deleted" "$NSVPN" up vpn
mv /run/nsvpn/vpn.conf "$WORK/vpn.conf.saved"
check "down without the configuration" "$NSVPN" down vpn
check "nothing left after down without config" nothing_left
mv "$WORK/vpn.conf.saved" /run/nsvpn/vpn.conf

# --- kill -9 in the middle of up, at two points, then up again. Gates (a
# wrapper around wireguard-go, a PostUp command) hold up there until we let go.
cat >"$WORK/gate" <<GATE
#!/bin/sh
# gate NAME [COMMAND...]: says it got here, waits to be let through, runs COMMAND
name=\$1; shift
touch "$WORK/\$name.reached"
while [ ! -e "$WORK/\$name.open" ]; do sleep 0.02; done
[ \$# -eq 0 ] || exec "\$@"
GATE
chmod +x "$WORK/gate"
for point in daemon-starting post-up; do
    rm -f "$WORK/$point.reached" "$WORK/$point.open"
    case $point in
    daemon-starting) vpn_config "[Namespace]" "UserspaceCommand = $WORK/gate $point wireguard-go" ;;
    post-up) vpn_config "[Interface]" "PostUp = $WORK/gate $point" ;;
    esac
    "$NSVPN" up vpn >"$WORK/killed-up.log" 2>&1 &
    up_pid=$!
    check "up reaches the $point gate" wait_for 20 test -e "$WORK/$point.reached"
    kill -9 "$up_pid"
    wait "$up_pid" 2>/dev/null || true
    touch "$WORK/$point.open"
    if [ $point = daemon-starting ]; then
        # the orphaned daemon makes its tun in the host, as a crash would leave it
        tun=$(sed -n 's/^host_ifname=//p' /run/nsvpn/vpn/state)
        check "the orphaned daemon made $tun" wait_for 10 test -S "/run/wireguard/$tun.sock"
    fi
    check "up after kill -9 at $point" "$NSVPN" up vpn
    check "traffic after recovery from kill -9 at $point" traffic_ok
    check "down after recovery from kill -9 at $point" "$NSVPN" down vpn
    check "nothing left after kill -9 at $point" nothing_left
done
vpn_config

# --- the record lost while up (e.g. /run/nsvpn cleared): the next up still works
check "up before losing the record" "$NSVPN" up vpn
lost_daemon=$(pid_of_daemon)
rm -rf /run/nsvpn/vpn
check "up without the record" "$NSVPN" up vpn
check "traffic after up without the record" traffic_ok
check "down" "$NSVPN" down vpn
kill "$lost_daemon" 2>/dev/null || true # its tun is gone, so it has exited; be sure
check "the namespace stays: without the record, up cannot know it made it" test -e /run/netns/vpn
check "netns delete" "$NSVPN" netns delete vpn
check "nothing left after the lost record" nothing_left

# --- a step that fails undoes the others
vpn_config "[Interface]" "PostUp = false"
rc=0
"$NSVPN" up vpn 2>"$WORK/failed-up.log" || rc=$?
equal "up with a failing PostUp exits 1" 1 "$rc"
check "the error names the step" grep -q 'PostUp `false`: exited with status 1' "$WORK/failed-up.log"
check "nothing left after the failed up" nothing_left
vpn_config

# --- a configuration error changes nothing
printf '[Interface]\nPrivateKey = nonsense\n' >/run/nsvpn/vpn.conf
rc=0
"$NSVPN" up vpn 2>"$WORK/bad-config.log" || rc=$?
equal "up with a bad configuration exits 2" 2 "$rc"
check "the error names file, line and key" grep -q '/run/nsvpn/vpn.conf:2: PrivateKey:' "$WORK/bad-config.log"
check "nothing made for a bad configuration" nothing_left
vpn_config

# --- a daemon that outlives its tun and ignores SIGTERM: down kills it and
# returns only once it is gone
cat >"$WORK/stubborn" <<'STUBBORN'
#!/bin/bash
trap '' TERM
wireguard-go "$@"
while :; do sleep 0.1; done
STUBBORN
chmod +x "$WORK/stubborn"
vpn_config "[Namespace]" "UserspaceCommand = $WORK/stubborn"
check "up with a daemon that ignores SIGTERM" "$NSVPN" up vpn
stubborn=$(pid_of_daemon)
check "traffic with it" traffic_ok
start=$SECONDS
check "down" "$NSVPN" down vpn
check "down waited for SIGTERM, then killed it" test $((SECONDS - start)) -ge 1
check "it is gone when down returns" \
    bash -c "! kill -0 $stubborn 2>/dev/null || grep -q '^State:.*Z' /proc/$stubborn/status"
check "nothing left after the stubborn daemon" nothing_left
vpn_config

# --- netns add/delete, as netns@.service runs them
check "netns add" "$NSVPN" netns add vpn
check "netns add again" "$NSVPN" netns add vpn
check "ip netns lists it" bash -c "ip netns list | grep -qw vpn"
check "up in an existing namespace" "$NSVPN" up vpn
check "down" "$NSVPN" down vpn
check "the namespace made by netns add stays after down" test -e /run/netns/vpn
check "netns delete" "$NSVPN" netns delete vpn
check "netns delete again" "$NSVPN" netns delete vpn
check "nothing left after netns delete" nothing_left
finish
