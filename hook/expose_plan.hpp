// Where an exposed VPN's veth pair goes and what it carries, decided from the
// configuration and the host's routes (pure; expose.cpp applies it).
#pragma once

#include "../config/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nsvpn {

// The namespace's end of the veth pair: its only link besides lo and the tunnel.
inline constexpr const char* kNamespaceVeth = "host0";

struct ExposePlan {
    std::string host_veth;          // the host's end: "nsx" + 8 hex digits of the VPN name
    std::string ns_veth;            // kNamespaceVeth
    std::string tunnel;             // the WireGuard interface in the namespace
    IpPrefix link;                  // the pair's subnet (LinkSubnet=, or chosen)
    IpAddress host_address;         // the subnet's first address, on the host's end
    IpAddress ns_address;           // its second, in the namespace
    std::vector<IpAddress> listen;  // ListenAddress= (default 127.0.0.1)
    std::vector<ExposedPort> ports; // Port=
    // Host interfaces whose forwarding nsvpn switched on for connections from
    // elsewhere to a ListenAddress=: their forwarding is fenced to the veths.
    std::vector<std::string> fenced;
};

std::string host_veth_name(const std::string& vpn);

// A free subnet for the veth pair of vpn: a /30 that overlaps none of in_use
// (the host's routes and addresses; default routes are left out by the caller).
// Tried in order: 169.254.0.0/16 (less 169.254.0.0/24, 169.254.169.0/24 and
// 169.254.255.0/24), 10.254.0.0/16, 172.30.0.0/16, each from a place that
// depends on the name, so that a VPN tends to get the same subnet every time.
std::optional<IpPrefix> choose_link_subnet(const std::string& vpn,
                                           const std::vector<IpPrefix>& in_use);

// The address of the host's end of the veth on link: its first.
IpAddress host_end_address(const IpPrefix& link);

// The plan for link (LinkSubnet= or what choose_link_subnet returned).
ExposePlan plan_exposure(const Config& config, const IpPrefix& link);

bool is_loopback(const IpAddress& a);

} // namespace nsvpn
