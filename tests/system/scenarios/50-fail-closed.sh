# shellcheck shell=bash
# Fail closed: an attached service never runs outside its VPN. It does not
# start when wg-NAME fails to come up, when wg-NAME is masked, when the
# namespace is gone although wg-NAME is still active, or when the VPN's DNS
# files are missing; in none of these cases did its process run at all.

# wg-NAME fails: the userspace daemon exits at once
vpn fails "[Namespace]" "Services = probe@a.service" "Implementation = userspace" \
    "UserspaceCommand = /bin/false"
refute "a VPN that fails to come up: the service's start fails" sc start probe@a.service
equal "wg-fails.service failed" failed "$(state wg-fails.service)"
refute "the service never ran" ct_exists /run/nsvpn-test/a/started
refute "nsvpn up undid its work (/run/nsvpn/fails is gone)" ct_exists /run/nsvpn/fails

# wg-NAME masked
vpn masked "[Namespace]" "Services = probe@b.service"
sc mask --runtime --quiet wg-masked.service
refute "a masked VPN: the service's start fails" sc start probe@b.service
refute "the service never ran" ct_exists /run/nsvpn-test/b/started
sc unmask --runtime --quiet wg-masked.service

# the namespace removed under an active wg-NAME (ip netns delete)
vpn gone "[Namespace]" "Services = probe@c.service"
check "systemctl start wg-gone" sc start wg-gone.service
check "ip netns delete gone" ct ip netns delete gone
equal "wg-gone.service is still active" active "$(state wg-gone.service)"
refute "the namespace gone: the service's start fails" sc start probe@c.service
equal "in joining the network namespace (status 225/NETWORK)" 225 \
    "$(sc show -P ExecMainStatus probe@c.service)"
refute "the service never ran" ct_exists /run/nsvpn-test/c/started
check "systemctl stop wg-gone still succeeds" sc stop wg-gone.service netns@gone.service

# the VPN's resolv.conf missing (it would be the host's otherwise)
vpn nodns "[Namespace]" "Services = probe@d.service"
check "systemctl start wg-nodns" sc start wg-nodns.service
ct rm /run/nsvpn/nodns/resolv.conf
refute "resolv.conf missing: the service's start fails" sc start probe@d.service
equal "in setting up its mount namespace (status 226/NAMESPACE)" 226 \
    "$(sc show -P ExecMainStatus probe@d.service)"
refute "the service never ran" ct_exists /run/nsvpn-test/d/started
