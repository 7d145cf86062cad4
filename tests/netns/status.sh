#!/usr/bin/env bash
# nsvpn status against reality: a VPN with an exposed port and an attached
# service, before up, up with traffic (interface, addresses, the peer's
# endpoint, handshake and counters, the exposure), with its configuration
# gone, with its daemon dead, and after down; the table says the same as the
# JSON; unknown names exit 2, a record that cannot be read exits 1. There is no
# systemd here: every unit state is "unknown".
source "$(dirname "$0")/lib.sh"
private_machine
provider

vpn_config "[Namespace]" "Services = web" "[Expose]" "Port = 9000" "Port = 8080:9000/udp"

# status_json FILE [NAME]: nsvpn status [NAME] --json into FILE, its exit status checked
status_json() {
    local rc=0
    "$NSVPN" status ${2:+"$2"} --json >"$1" 2>"$WORK/status.err" || rc=$?
    equal "status ${2:-(all)} --json exits 0" 0 "$rc"
    check "status ${2:-(all)} --json is valid JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"
}
# field FILE EXPR: EXPR evaluated in Python with v the first VPN of FILE (d the document)
field() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = d["vpns"][0] if d["vpns"] else None
r = eval(sys.argv[2])
print(json.dumps(r) if not isinstance(r, str) else r)' "$1" "$2"
}

# --- before up ----------------------------------------------------------------
status_json "$WORK/down.json" vpn
equal "before up: one VPN, vpn" '["vpn"]' "$(field "$WORK/down.json" '[x["name"] for x in d["vpns"]]')"
equal "before up: not up, no record" "false none" \
    "$(field "$WORK/down.json" 'v["up"]') $(field "$WORK/down.json" 'v["record"]')"
equal "before up: the configuration" "/run/nsvpn/vpn.conf true" \
    "$(field "$WORK/down.json" 'v["config"]["path"]') $(field "$WORK/down.json" 'v["config"]["valid"]')"
equal "before up: the configured interface" "wg0" "$(field "$WORK/down.json" 'v["interface"]')"
equal "before up: no implementation, daemon, addresses or peers" "null null [] []" \
    "$(field "$WORK/down.json" 'v["implementation"]') $(field "$WORK/down.json" 'v["daemon"]') $(field "$WORK/down.json" 'v["addresses"]') $(field "$WORK/down.json" 'v["peers"]')"
equal "before up: the unit's state is unknown without systemd" "wg-vpn.service unknown unknown" \
    "$(field "$WORK/down.json" 'v["unit"]["name"]') $(field "$WORK/down.json" 'v["unit"]["active_state"]') $(field "$WORK/down.json" 'v["unit"]["sub_state"]')"

# --- up, with traffic -----------------------------------------------------------
check "up" "$NSVPN" up vpn
equal "traffic through the tunnel" "10.9.0.2" "$(http_from_vpn 10.9.0.1)"
status_json "$WORK/up.json" vpn
j=$WORK/up.json
equal "up: up, a complete record" "true complete" "$(field "$j" 'v["up"]') $(field "$j" 'v["record"]')"
equal "up: the namespace" "/run/netns/vpn true" \
    "$(field "$j" 'v["namespace"]["path"]') $(field "$j" 'v["namespace"]["present"]')"
equal "up: the interface" "wg0" "$(field "$j" 'v["interface"]')"
equal "up: the host interface is the recorded one" "$(sed -n 's/^host_ifname=//p' /run/nsvpn/vpn/state)" \
    "$(field "$j" 'v["host_interface"]')"
equal "up: userspace, the daemon running" "userspace true" \
    "$(field "$j" 'v["implementation"]') $(field "$j" 'v["daemon"]["running"]')"
daemon=$(field "$j" 'v["daemon"]["pid"]')
equal "up: the daemon's pid is the recorded one" "$(sed -n 's/^pid=//p' /run/nsvpn/vpn/state)" "$daemon"
check "up: the daemon is wireguard-go" grep -q wireguard-go "/proc/$daemon/cmdline"
equal "up: the addresses, as ip shows them" \
    "$(ip -n vpn -o addr show dev wg0 | awk '{print $4}' | sort | xargs)" \
    "$(field "$j" '" ".join(sorted(v["addresses"]))')"
check "up: both configured addresses" \
    test "$(field "$j" '"10.9.0.2/32" in v["addresses"] and "fd09::2/128" in v["addresses"]')" = true
equal "up: one peer, the provider" "$(cat "$WORK/provider.pub")" "$(field "$j" '" ".join(p["public_key"] for p in v["peers"])')"
equal "up: the peer's endpoint" "192.0.2.2:51820" "$(field "$j" 'v["peers"][0]["endpoint"]')"
check "up: a handshake, seconds ago" \
    test "$(field "$j" 'v["peers"][0]["latest_handshake_age"] is not None and 0 <= v["peers"][0]["latest_handshake_age"] < 60')" = true
check "up: bytes received and sent" \
    test "$(field "$j" 'v["peers"][0]["rx_bytes"] > 0 and v["peers"][0]["tx_bytes"] > 0')" = true
equal "up: the peer's allowed IPs" '["0.0.0.0/0", "::/0"]' "$(field "$j" 'v["peers"][0]["allowed_ips"]')"
equal "up: the exposed ports" '[[9000, 9000, "tcp"], [8080, 9000, "udp"]]' \
    "$(field "$j" '[[p["host_port"], p["port"], p["protocol"]] for p in v["expose"]["ports"]]')"
equal "up: the listen address (default)" '["127.0.0.1"]' "$(field "$j" 'v["expose"]["listen_addresses"]')"
veth=$(ip -o link show | awk -F': ' '/nsx/ {print $2}' | cut -d@ -f1)
equal "up: the veth, as ip shows it" "$veth" "$(field "$j" 'v["expose"]["veth"]')"
equal "up: the veth's subnet is the recorded one" "$(sed -n 's/^link=//p' /run/nsvpn/vpn/state)" \
    "$(field "$j" 'v["expose"]["link"]')"
equal "up: the attached service, its state unknown" '[["web.service", "unknown", null, "unknown"]]' \
    "$(field "$j" '[[s["unit"], s["active_state"], s["running"], s["namespace"]] for s in v["services"]]')"
equal "up: no warnings, no errors" "[] []" "$(field "$j" 'v["warnings"]') $(field "$j" 'v["errors"]')"
equal "up: no key material but public keys" "" \
    "$(grep -F -e "$(cat "$WORK/client.key")" -e "$(cat "$WORK/provider.key")" "$j")"

"$NSVPN" status vpn >"$WORK/up.txt"
check "table: up" grep -qx "vpn: up" "$WORK/up.txt"
for fact in "wg-vpn.service: unknown" "/run/netns/vpn" "wg0, userspace (pid $daemon" "10.9.0.2/32" \
    "fd09::2/128" "peer: $(cat "$WORK/provider.pub")" "endpoint: 192.0.2.2:51820" \
    "9000/tcp, 8080->9000/udp on 127.0.0.1" "$veth" "web.service: unknown"; do
    check "table: $fact" grep -qF -- "$fact" "$WORK/up.txt"
done
check "table: a recent handshake" grep -Eq "latest handshake: [0-9]+s ago" "$WORK/up.txt"
check "table: bytes both ways" grep -Eq "transfer: [0-9.]+ (B|KiB) received, [0-9.]+ (B|KiB) sent" "$WORK/up.txt"
refute "table: no private key" grep -qF "$(cat "$WORK/client.key")" "$WORK/up.txt"

status_json "$WORK/all.json"
equal "status without a name lists vpn" '["vpn"]' "$(field "$WORK/all.json" '[x["name"] for x in d["vpns"]]')"

# --- the configuration gone: the record still shows the VPN --------------------
mv /run/nsvpn/vpn.conf "$WORK/vpn.conf"
status_json "$WORK/noconf.json"
equal "without its configuration: listed, up, config null" '["vpn"] true null' \
    "$(field "$WORK/noconf.json" '[x["name"] for x in d["vpns"]]') $(field "$WORK/noconf.json" 'v["up"]') $(field "$WORK/noconf.json" 'v["config"]')"
equal "without its configuration: the veth still shown, no ports" "$veth []" \
    "$(field "$WORK/noconf.json" 'v["expose"]["veth"]') $(field "$WORK/noconf.json" 'v["expose"]["ports"]')"
mv "$WORK/vpn.conf" /run/nsvpn/vpn.conf

# --- the daemon dead: status says so, and still exits 0 ------------------------
kill "$daemon"
wait_for 10 bash -c "! kill -0 $daemon 2>/dev/null || grep -q '^State:.*Z' /proc/$daemon/status"
status_json "$WORK/dead.json" vpn
equal "daemon dead: not running" "false" "$(field "$WORK/dead.json" 'v["daemon"]["running"]')"
check "daemon dead: a warning says so" \
    test "$(field "$WORK/dead.json" 'any("has exited" in w for w in v["warnings"])')" = true
equal "daemon dead: no peers" "[]" "$(field "$WORK/dead.json" 'v["peers"]')"

# --- down ---------------------------------------------------------------------------
check "down" "$NSVPN" down vpn
status_json "$WORK/after.json" vpn
equal "after down: not up, no record, no namespace" "false none false" \
    "$(field "$WORK/after.json" 'v["up"]') $(field "$WORK/after.json" 'v["record"]') $(field "$WORK/after.json" 'v["namespace"]["present"]')"
equal "after down: no veth" "null" "$(field "$WORK/after.json" 'v["expose"]["veth"]')"
"$NSVPN" status vpn >"$WORK/after.txt"
check "table after down: down" grep -qx "vpn: down" "$WORK/after.txt"

# --- exit statuses -------------------------------------------------------------------
rc=0
"$NSVPN" status nosuch >/dev/null 2>"$WORK/nosuch.err" || rc=$?
equal "an unknown name exits 2" 2 "$rc"
check "and says so" grep -q "nosuch" "$WORK/nosuch.err"
rc=0
"$NSVPN" status --json nosuch >/dev/null 2>&1 || rc=$?
equal "an unknown name exits 2 with --json too" 2 "$rc"
mkdir -p /run/nsvpn/ghost
echo "garbage without an equals sign" >/run/nsvpn/ghost/state
rc=0
"$NSVPN" status ghost --json >"$WORK/ghost.json" || rc=$?
equal "a record that cannot be read exits 1" 1 "$rc"
check "the JSON names the error" \
    test "$(field "$WORK/ghost.json" 'any("malformed" in e for e in v["errors"])')" = true
rm -r /run/nsvpn/ghost
finish
