#include "plan.hpp"

#include <algorithm>
#include <sys/socket.h>

namespace nsvpn {

namespace {

bool is_link_local(const IpPrefix& p) {
    return p.address.family == AF_INET6 && p.address.bytes[0] == 0xfe &&
           (p.address.bytes[1] & 0xc0) == 0x80;
}

} // namespace

NamespacePlan plan_namespace(const Config& c, const std::vector<IpPrefix>& have) {
    NamespacePlan plan;
    const auto& wanted = c.interface.addresses;
    bool v4 = false;
    for (const auto& a : wanted)
        (a.value.address.family == AF_INET ? v4 : plan.ipv6) = true;
    if (c.interface.mtu)
        plan.mtu = c.interface.mtu->value;
    for (const auto& h : have)
        if (!is_link_local(h) &&
            std::none_of(wanted.begin(), wanted.end(), [&](const auto& a) { return a.value == h; }))
            plan.remove.push_back(h);
    for (const auto& a : wanted)
        if (std::find(have.begin(), have.end(), a.value) == have.end() &&
            std::find(plan.add.begin(), plan.add.end(), a.value) == plan.add.end())
            plan.add.push_back(a.value);
    // The only way out: the tunnel, for each family in use (IPv6 is off without an address).
    if (v4)
        plan.default_routes.push_back(AF_INET);
    if (plan.ipv6)
        plan.default_routes.push_back(AF_INET6);
    return plan;
}

} // namespace nsvpn
