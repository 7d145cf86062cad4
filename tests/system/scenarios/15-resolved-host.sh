# shellcheck shell=bash
# A host whose resolver is systemd-resolved's: /etc/resolv.conf a symlink to
# /run/systemd/resolve/stub-resolv.conf and the io.systemd.Resolve socket
# there (as Debian with systemd-resolved, Ubuntu or Fedora have it). The
# drop-in's bind mount follows the symlink, so the attached service still
# reads the VPN's resolv.conf, and the resolved socket is hidden from it.

ct_sh 'mkdir -p /run/systemd/resolve &&
    echo "nameserver 127.0.0.53" >/run/systemd/resolve/stub-resolv.conf &&
    python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"/run/systemd/resolve/io.systemd.Resolve\")" &&
    ln -sfn ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf'
vpn vpn "[Namespace]" "Services = probe@resolved.service"
check "systemctl start probe@resolved" sc start probe@resolved.service
check "the probe finished" wait_for 30 probe_done resolved
equal "its resolv.conf is the VPN's" "$(ct_file /run/nsvpn/vpn/resolv.conf)" \
    "$(probe_result resolved resolv.conf)"
equal "the resolved socket is hidden from it" "" "$(probe_result resolved resolver-sockets)"
equal "a name resolves by the VPN's DNS server" 10.9.0.1 "$(probe_result resolved getent)"
equal "the provider sees the tunnel address" 10.9.0.2 "$(probe_result resolved http4)"
equal "outside, the stub file is unchanged" "nameserver 127.0.0.53" \
    "$(ct_file /run/systemd/resolve/stub-resolv.conf)"
