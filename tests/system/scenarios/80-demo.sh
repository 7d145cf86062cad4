# shellcheck shell=bash
# The README's first command under a booted systemd: scripts/demo-vpn.sh (what
# scripts/demo.sh runs after it installs nsvpn) finds systemd as PID 1 and
# starts its VPN as a user would (daemon-reload, systemctl start wg-demo); it
# must pass, and leave no unit, namespace or configuration behind.

demo=/usr/local/lib/nsvpn-demo
mkdir -p "$ROOT$demo/scripts" "$ROOT$demo/examples"
cp "$HERE/../../scripts/demo-vpn.sh" "$ROOT$demo/scripts/"
cp "$HERE/../../examples/demo-provider.py" "$ROOT$demo/examples/"
out=$(ct bash "$demo/scripts/demo-vpn.sh" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/    demo: /'
equal "the demo exits with 0" 0 "$rc"
check "it ran the systemd way" grep -q "PID 1 is systemd" <(printf '%s\n' "$out")
check "it passed" grep -q "The demo passed" <(printf '%s\n' "$out")
equal "wg-demo.service is gone" "" "$(ct ls /run/systemd/generator | grep -x 'wg-demo.service' || true)"
refute "its namespace is gone" ct test -e /run/netns/demo
refute "its configuration is gone" ct test -e /run/nsvpn/demo.conf
rm -rf "${ROOT:?}$demo"
