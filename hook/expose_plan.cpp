#include "expose_plan.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <sys/socket.h>

namespace nsvpn {

namespace {

std::uint32_t fnv1a(const std::string& s) {
    std::uint32_t h = 2166136261u;
    for (unsigned char ch : s)
        h = (h ^ ch) * 16777619u;
    return h;
}

IpPrefix v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, unsigned len) {
    IpPrefix p;
    p.address.family = AF_INET;
    p.address.bytes[0] = a;
    p.address.bytes[1] = b;
    p.address.bytes[2] = c;
    p.address.bytes[3] = d;
    p.length = len;
    return p;
}

// The address n places after the network address of p (IPv4).
IpAddress nth(const IpPrefix& p, std::uint32_t n) {
    std::uint32_t base = 0;
    for (int i = 0; i < 4; ++i)
        base = (base << 8) | p.address.bytes[i];
    base &= p.length ? ~std::uint32_t{0} << (32 - p.length) : 0;
    base += n;
    IpAddress a;
    a.family = AF_INET;
    for (int i = 3; i >= 0; --i, base >>= 8)
        a.bytes[i] = static_cast<std::uint8_t>(base & 0xff);
    return a;
}

} // namespace

bool is_loopback(const IpAddress& a) {
    if (a.family == AF_INET)
        return a.bytes[0] == 127;
    static const std::array<std::uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return a.family == AF_INET6 && std::equal(one.begin(), one.end(), a.bytes.begin());
}

std::string host_veth_name(const std::string& vpn) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "nsx%08x", fnv1a(vpn));
    return buf;
}

std::optional<IpPrefix> choose_link_subnet(const std::string& vpn,
                                           const std::vector<IpPrefix>& in_use) {
    struct Pool {
        std::uint8_t a, b;
        std::vector<std::uint8_t> skip; // third bytes left out
    };
    const Pool pools[] = {{169, 254, {0, 169, 255}}, {10, 254, {}}, {172, 30, {}}};
    const std::uint32_t start = fnv1a(vpn);
    for (const auto& pool : pools) {
        // 256 * 64 subnets of /30 in a /16, walked from a place the name picks
        for (std::uint32_t i = 0; i < 256 * 64; ++i) {
            std::uint32_t n = (start + i) % (256 * 64);
            auto c = static_cast<std::uint8_t>(n / 64), d = static_cast<std::uint8_t>(n % 64 * 4);
            if (std::find(pool.skip.begin(), pool.skip.end(), c) != pool.skip.end())
                continue;
            IpPrefix candidate = v4(pool.a, pool.b, c, d, 30);
            if (std::none_of(in_use.begin(), in_use.end(),
                             [&](const IpPrefix& u) { return prefixes_overlap(u, candidate); }))
                return candidate;
        }
    }
    return std::nullopt;
}

IpAddress host_end_address(const IpPrefix& link) {
    return nth(link, 1);
}

ExposePlan plan_exposure(const Config& c, const IpPrefix& link) {
    ExposePlan plan;
    plan.host_veth = host_veth_name(c.name);
    plan.ns_veth = kNamespaceVeth;
    plan.tunnel = c.interface_name();
    plan.link = link;
    plan.link.address = nth(link, 0);
    plan.host_address = nth(link, 1);
    plan.ns_address = nth(link, 2);
    for (const auto& l : c.expose.listen_addresses)
        if (std::find(plan.listen.begin(), plan.listen.end(), l.value) == plan.listen.end())
            plan.listen.push_back(l.value);
    if (plan.listen.empty())
        plan.listen.push_back(v4(127, 0, 0, 1, 32).address);
    for (const auto& p : c.expose.ports)
        plan.ports.push_back(p.value);
    return plan;
}

} // namespace nsvpn
