# shellcheck shell=bash
# (3) systemctl stop wg-vpn: the attached service is stopped with it (BindsTo),
# everything `nsvpn up` made is gone (the tunnel, the host's tun and UAPI
# socket, /run/nsvpn/vpn), the userspace daemon ended with the unit's cgroup
# (in the VM, with kernel WireGuard, there is none);
# the namespace stays with netns@vpn.service until that is stopped too. Then
# starting the service alone starts the VPN first, and it runs in it again; a
# restart of wg-vpn restarts it too.

vpn vpn "[Namespace]" "Services = probe@web.service"
check "systemctl start wg-vpn" sc start wg-vpn.service
check "systemctl start probe@web" sc start probe@web.service
check "the probe finished" wait_for 30 probe_done web
equal "StatusText of wg-vpn.service (sd_notify STATUS=)" \
    "wg0 up in namespace vpn, address 10.9.0.2/32 fd09::2/128" "$(sc show -P StatusText wg-vpn.service)"
service_pid=$(sc show -P MainPID probe@web.service)
cgroup=$(sc show -P ControlGroup wg-vpn.service)
impl=$(wg_impl vpn)
daemon=
if [ "$impl" = userspace ]; then
    daemon=$(unit_pids wg-vpn.service | head -n 1)
    equal "the userspace daemon runs in wg-vpn.service's cgroup" wireguard-go \
        "$(ct_file "/proc/$daemon/comm")"
    equal "/run/wireguard: the provider's socket and ours" 2 "$(ct ls /run/wireguard | wc -l)"
else
    equal "wg0 is a kernel WireGuard link" kernel "$impl"
fi
check "systemctl stop wg-vpn" sc stop wg-vpn.service
equal "wg-vpn.service is inactive" inactive "$(state wg-vpn.service)"
equal "the attached service was stopped with it" inactive "$(state probe@web.service)"
refute "its process is gone" ct test -d "/proc/$service_pid/fd"
if [ -n "$daemon" ]; then refute "the userspace daemon is gone" ct test -d "/proc/$daemon/fd"; fi
# (with kernel WireGuard nothing stays after `nsvpn up`, and systemd removed it then)
if [ -n "$cgroup" ]; then
    refute "wg-vpn.service's cgroup is gone" \
        ct test -d "/sys/fs/cgroup/unified$cgroup" -o -d "/sys/fs/cgroup$cgroup"
fi
equal "/run/wireguard holds the provider's socket only" wgp.sock "$(ct ls /run/wireguard | xargs)"
equal "no tun left in the container's own namespace" "" \
    "$(ct ip -o link show | awk -F': ' '$2 ~ /^nsv[0-9a-f]{8}/ { print $2 }')"
refute "/run/nsvpn/vpn is gone" ct_exists /run/nsvpn/vpn
equal "the namespace (netns@vpn.service's) holds only lo" lo \
    "$(ct ip -n vpn -o link show | awk -F': ' '{ print $2 }' | xargs)"
check "systemctl stop netns@vpn" sc stop netns@vpn.service
refute "/run/netns/vpn is gone" ct_exists /run/netns/vpn
equal "nothing of it in the journal at error level" "" \
    "$(journal -o cat -p err -u wg-vpn.service -u netns@vpn.service)"

ct rm -rf /run/nsvpn-test/web
check "starting the service alone starts the VPN" sc start probe@web.service
equal "wg-vpn.service is active" active "$(state wg-vpn.service)"
check "the service ran" wait_for 30 probe_done web
equal "and found the tunnel up when it started" "lo wg0" "$(probe_result web links | sort | xargs)"
equal "the provider sees the tunnel address" 10.9.0.2 "$(probe_result web http4)"

# systemctl restart wg-vpn: the service is restarted with it (BindsTo), in the new tunnel
service_pid=$(sc show -P MainPID probe@web.service)
ct rm -rf /run/nsvpn-test/web
check "systemctl restart wg-vpn" sc restart wg-vpn.service
check "the attached service is active again" wait_for 10 is_active probe@web.service
check "as a new process" test "$(sc show -P MainPID probe@web.service)" != "$service_pid"
check "which ran again" wait_for 30 probe_done web
equal "inside the tunnel" 10.9.0.2 "$(probe_result web http4)"
