# shellcheck shell=bash
# The userspace daemon dies under an active VPN (kill -9): systemd watches it
# (nsvpn up made it wg-vpn.service's main process with MAINPID=), so the unit
# fails, the attached service is stopped with it, `nsvpn down` cleans up, and a
# start of the service brings both back. With kernel WireGuard (the VM) there
# is no daemon: the unit stays active after `nsvpn up` exits (RemainAfterExit=).

vpn vpn "[Namespace]" "Services = probe@web.service"
check "systemctl start probe@web (and so wg-vpn)" sc start probe@web.service
check "the probe finished" wait_for 30 probe_done web
if [ "$(wg_impl vpn)" = kernel ]; then
    equal "kernel WireGuard: wg-vpn has no main process" 0 "$(sc show -P MainPID wg-vpn.service)"
    equal "and stays active" active "$(state wg-vpn.service)"
    return 0
fi
daemon=$(sc show -P MainPID wg-vpn.service)
equal "wg-vpn's main process is the daemon" wireguard-go "$(ct_file "/proc/$daemon/comm")"
equal "wg-vpn is active (running: its daemon runs)" running "$(sc show -P SubState wg-vpn.service)"

ct kill -9 "$daemon"
failed() { [ "$(state wg-vpn.service)" = failed ]; }
check "wg-vpn fails when its daemon dies" wait_for 30 failed
equal "the attached service was stopped with it" inactive "$(state probe@web.service)"
gone() { ! ct test -e /run/nsvpn/vpn/state; }
check "nsvpn down cleaned up (no record left)" wait_for 30 gone
equal "no tun left in the container's own namespace" "" \
    "$(ct ip -o link show | awk -F': ' '$2 ~ /^nsv[0-9a-f]{8}/ { print $2 }')"
check "the journal says why" bash -c "$(declare -f ct journal); LEADER=$LEADER CT_PATH='$CT_PATH'; \
    journal -u wg-vpn.service | grep -q 'status=9/KILL\|signal=KILL'"

ct rm -rf /run/nsvpn-test/web
check "systemctl start probe@web brings both back" sc start probe@web.service
check "the probe finished again" wait_for 30 probe_done web
equal "the provider sees the tunnel address again" 10.9.0.2 "$(probe_result web http4)"
