// What the namespace side of `nsvpn up` must change, decided from the
// configuration and what the interface has now (pure; up.cpp applies it).
#pragma once

#include "../config/model.hpp"

#include <optional>
#include <vector>

namespace nsvpn {

struct NamespacePlan {
    bool ipv6 = false;               // keep IPv6 on: an IPv6 address is configured
    std::optional<unsigned> mtu;     // set when MTU= is
    std::vector<IpPrefix> add;       // addresses the interface lacks
    std::vector<IpPrefix> remove;    // addresses it has and should not (link-local stays)
    std::vector<int> default_routes; // AF_INET and/or AF_INET6, through the interface
};

NamespacePlan plan_namespace(const Config& config, const std::vector<IpPrefix>& have);

} // namespace nsvpn
