# shellcheck shell=bash
# (6) `nsvpn status --json` matches reality under systemd: the unit states
# systemd reports, the tunnel and its peer, the exposed port, and the attached
# service's main process inside the namespace; then after stop, and for a VPN
# whose configuration is broken.

vpn one "[Namespace]" "Services = probe@one.service" "[Expose]" "Port = 9000"
check "systemctl start probe@one (and so wg-one)" sc start probe@one.service
check "the probe finished (traffic through the tunnel)" wait_for 30 probe_done one

# field PATH: one value of `nsvpn status one --json`, read with python3 in the container
status_json() { ct nsvpn status "$@" --json; }
field() {
    status_json one | ct python3 -c "import json, sys
v = json.load(sys.stdin)['vpns'][0]
for k in sys.argv[1].split('.'):
    v = v[int(k)] if isinstance(v, list) else v[k]
print('null' if v is None else str(v).lower() if isinstance(v, bool) else v)" "$1"
}
equal "unit: active, as systemd says" "$(state wg-one.service)" "$(field unit.active_state)"
equal "unit: the sub-state systemd says" "$(sc show -P SubState wg-one.service)" \
    "$(field unit.sub_state)"
equal "up" true "$(field up)"
equal "the interface" wg0 "$(field interface)"
equal "the implementation, as the link shows" "$(wg_impl one)" "$(field implementation)"
check "the tunnel address is listed" grep -q '"10.9.0.2/32"' <(status_json one)
equal "the peer's endpoint" 192.0.2.2:51820 "$(field peers.0.endpoint)"
age=$(field peers.0.latest_handshake_age)
check "a handshake happened (its age is a number: $age)" test -n "$age" -a "$age" != null
check "bytes went out" test "$(field peers.0.tx_bytes)" -gt 0
equal "the exposed port" 9000 "$(field expose.ports.0.host_port)"
equal "the veth is the host's nsx link" \
    "$(ct ip -o link show | awk -F': ' '/ nsx/ { sub(/@.*/, "", $2); print $2 }')" \
    "$(field expose.veth)"
equal "the service" probe@one.service "$(field services.0.unit)"
equal "its main process, as systemd says" "$(sc show -P MainPID probe@one.service)" \
    "$(field services.0.main_pid)"
equal "it runs inside" inside "$(field services.0.namespace)"
check "the table names the service" grep -q 'probe@one.service' <(ct nsvpn status one)

check "systemctl stop wg-one" sc stop wg-one.service
equal "after stop: the unit is inactive" inactive "$(field unit.active_state)"
equal "after stop: not up" false "$(field up)"
equal "after stop: the service is not running" not-running "$(field services.0.namespace)"

vpn broken "[Interface]" "Address = not-an-address"
refute "a broken VPN does not start" sc start wg-broken.service
equal "status: its configuration is invalid" false \
    "$(status_json broken | ct python3 -c 'import json, sys; print(str(json.load(sys.stdin)["vpns"][0]["config"]["valid"]).lower())')"
equal "status: its unit failed, as systemd says" "$(state wg-broken.service)" \
    "$(status_json broken | ct python3 -c 'import json, sys; print(json.load(sys.stdin)["vpns"][0]["unit"]["active_state"])')"
