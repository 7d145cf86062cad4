# shellcheck shell=bash
# (2) AutoStart: with the configuration in /etc/nsvpn and the attached service
# enabled, a reboot brings both up by themselves: the generator runs at boot,
# wg-vpn.service is pulled in by multi-user.target, the service starts after it
# inside the namespace. The shutdown before took them down in order (the
# service first, then `nsvpn down`), without an error.

vpn vpn "[Namespace]" "Services = probe@boot.service"
check "AutoStart=yes: multi-user.target wants wg-vpn.service" \
    ct test -L /run/systemd/generator/multi-user.target.wants/wg-vpn.service
check "systemctl enable --now probe@boot (starts the VPN too)" sc enable --now --quiet probe@boot.service
check "the probe ran before the reboot" wait_for 30 probe_done boot

reboot_container

equal "after the reboot wg-vpn.service is active" active "$(state wg-vpn.service)"
equal "netns@vpn.service is active" active "$(state netns@vpn.service)"
check "probe@boot.service ran by itself" wait_for 30 probe_done boot
equal "probe@boot.service is active" active "$(state probe@boot.service)"
equal "it sees lo and wg0 only" "lo wg0" "$(probe_result boot links | sort | xargs)"
equal "the provider sees the tunnel address" 10.9.0.2 "$(probe_result boot http4)"
equal "a name resolves by the VPN's DNS server" 10.9.0.1 "$(probe_result boot getent)"
equal "the host's resolver got no query" "" "$(provider_queries host)"

# the shutdown of the boot before: what PID 1 logged after it started the probe
shutdown_log=$(ct journalctl --no-pager -b -1 -o cat _PID=1 |
    awk '/^Started probe@boot.service/ { text = ""; next } { text = text $0 "\n" } END { printf "%s", text }')
stopped_probe=$(awk '/^Stopped probe@boot.service/ { print NR; exit }' <<<"$shutdown_log")
stopping_vpn=$(awk '/^Stopping wg-vpn.service/ { print NR; exit }' <<<"$shutdown_log")
check "at the shutdown, the service stopped before wg-vpn.service" \
    test "${stopped_probe:-0}" -gt 0 -a "${stopped_probe:-0}" -lt "${stopping_vpn:-0}"
check "nsvpn down ran at the shutdown" \
    grep -qx down <(ct journalctl --no-pager -b -1 -o cat -u wg-vpn.service)
equal "and logged no error" "" \
    "$(ct journalctl --no-pager -b -1 -o cat -p err -u wg-vpn.service -u netns@vpn.service)"
