# shellcheck shell=bash
# (4) A configuration that does not validate: daemon-reload still succeeds,
# another VPN is unaffected, and the service attached to the broken one refuses
# to start (it never runs) while the journal names the file, line and key.

vpn good "[Namespace]" "Services = probe@good.service"
cat >"$ROOT/etc/nsvpn/broken.conf" <<'CONF'
[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.0.0.300/32
[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
AllowedIPs = 0.0.0.0/0
Endpoint = 192.0.2.2:51820
[Namespace]
Services = probe@victim.service
CONF
chmod 600 "$ROOT/etc/nsvpn/broken.conf"
check "daemon-reload succeeds" sc daemon-reload
check "the generator named file, line and key in the journal (no /dev/kmsg here)" \
    grep -q '/etc/nsvpn/broken.conf:3: Address: "10.0.0.300"' \
    <(journal -o cat -t nsvpn-generator)
equal "wg-broken.service says it is invalid" \
    "WireGuard VPN namespace broken (nsvpn, invalid configuration)" \
    "$(sc show -P Description wg-broken.service)"
check "the victim still gets its drop-in" \
    ct test -f /run/systemd/generator/probe@victim.service.d/50-nsvpn-broken.conf

check "the other VPN starts" sc start wg-good.service
check "with its service" sc start probe@good.service
check "which reaches its provider" wait_for 30 probe_done good
equal "through the tunnel" 10.9.0.2 "$(probe_result good http4)"

refute "systemctl start probe@victim fails" sc start probe@victim.service
equal "wg-broken.service failed" failed "$(state wg-broken.service)"
check "probe@victim.service is not active" test "$(state probe@victim.service)" != active
refute "probe@victim never ran" ct_exists /run/nsvpn-test/victim/started
check "starting wg-broken logged them again" \
    grep -q '/etc/nsvpn/broken.conf:3: Address: "10.0.0.300"' \
    <(journal -o cat -u wg-broken.service)
equal "the other VPN is still up" active "$(state wg-good.service)"
equal "and its service" active "$(state probe@good.service)"
