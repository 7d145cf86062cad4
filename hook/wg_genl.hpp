// The kernel's WireGuard, configured through its generic netlink family
// ("wireguard", linux/wireguard.h), as wg(8) does on Linux. A device moved into
// (or made in) another namespace is only reachable from inside it: call these
// with the calling thread in the device's namespace (see InNetns).
#pragma once

#include "wg_uapi.hpp"

#include <string>
#include <vector>

namespace nsvpn {

// Makes the device's configuration equal to config, without dropping the
// sessions of peers that stay (peers no longer named are removed, the others
// updated, their allowed IPs replaced). Keys go only into the netlink message,
// which is wiped after sending. Throws StepError.
void genl_set(const std::string& ifname, const WgDeviceConfig& config);

// The device's peers: keys (public only), endpoints, handshakes, counters,
// allowed IPs (a dump of WG_CMD_GET_DEVICE). Throws StepError.
std::vector<WgPeerStatus> genl_get(const std::string& ifname);

// The public keys of the device's peers. Throws StepError.
std::vector<PublicKey> genl_peers(const std::string& ifname);

} // namespace nsvpn
