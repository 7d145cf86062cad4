# shellcheck shell=bash
# (5) Two VPNs at once, each with a web service inside and its port exposed:
# both answer on the container's own 127.0.0.1 (one on a remapped port), each
# service runs in its own namespace (lo, the tunnel and the veth), nothing
# answers from the provider's side, and stopping one VPN removes its table and
# its port while the other keeps serving.

# webui@PORT.service: a web server on PORT, attached to a VPN by Services=
cat >"$ROOT/etc/systemd/system/webui@.service" <<'UNIT'
[Unit]
Description=nsvpn system test web service on port %i
[Service]
Type=exec
ExecStart=/usr/bin/python3 -m http.server --bind 0.0.0.0 --directory /usr/share %i
UNIT
vpn one "[Namespace]" "Services = webui@9000.service" "[Expose]" "Port = 9000"
VPN_CLIENT=2 vpn two "[Namespace]" "Services = webui@9100.service" \
    "[Expose]" "Port = 8081:9100" "ListenAddress = 127.0.0.1"

check "systemctl start webui@9000 webui@9100 (and so both VPNs)" \
    sc start webui@9000.service webui@9100.service
equal "wg-one is active" active "$(state wg-one.service)"
equal "wg-two is active" active "$(state wg-two.service)"
equal "webui@9000 runs in namespace one" one \
    "$(ct ip netns identify "$(sc show -P MainPID webui@9000.service)")"
equal "webui@9100 runs in namespace two" two \
    "$(ct ip netns identify "$(sc show -P MainPID webui@9100.service)")"
equal "namespace one holds lo, the tunnel and the veth" "host0 lo wg0" \
    "$(ct ip -n one -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)"
http() { ct curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@"; }
served() { [ "$(http "$1")" = 200 ]; }
check "one's port answers on the container's 127.0.0.1:9000" wait_for 20 served http://127.0.0.1:9000/
check "two's port answers on 127.0.0.1:8081 (remapped to 9100)" wait_for 20 served http://127.0.0.1:8081/
refute "two's inner port is not exposed as such" served http://127.0.0.1:9100/
refute "one's port does not answer from the provider's side" \
    ct ip netns exec prov curl -s -o /dev/null --max-time 3 http://192.0.2.1:9000/
refute "nor through the tunnel" \
    ct ip netns exec prov curl -s -o /dev/null --max-time 3 http://10.9.0.2:9000/
equal "a table for each VPN in the container" "nsvpn-one nsvpn-two" \
    "$(ct nft list tables | awk '{ print $3 }' | sort | xargs)"

check "systemctl stop wg-one" sc stop wg-one.service
equal "webui@9000 stopped with it" inactive "$(state webui@9000.service)"
equal "one's table is gone" "nsvpn-two" "$(ct nft list tables | awk '{ print $3 }' | xargs)"
refute "one's port no longer answers" served http://127.0.0.1:9000/
check "two's port still answers" served http://127.0.0.1:8081/
sc stop webui@9100.service wg-two.service
equal "no table left" "" "$(ct nft list tables)"
rm -f "$ROOT/etc/systemd/system/webui@.service"
