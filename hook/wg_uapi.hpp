// The WireGuard cross-platform userspace API (UAPI): a line protocol on the unix
// socket /run/wireguard/IFNAME.sock that wireguard-go (and other userspace
// implementations) serve. See https://www.wireguard.com/xplatform/.
// Keys travel only through this socket, in memory; never in argv or files.
#pragma once

#include "../config/values.hpp"
#include "fd.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <sys/types.h>
#include <vector>

namespace nsvpn {

struct WgPeerConfig {
    PublicKey public_key;
    std::optional<SecretKey> preshared_key;
    std::optional<sockaddr_storage> endpoint; // resolved already
    std::vector<IpPrefix> allowed_ips;
    std::uint16_t persistent_keepalive = 0;
};

struct WgDeviceConfig {
    SecretKey private_key;
    std::uint16_t listen_port = 0; // 0: any
    std::uint32_t fwmark = 0;      // 0: none
    std::vector<WgPeerConfig> peers;
};

struct WgPeerStatus {
    PublicKey public_key;
    std::string endpoint; // "" when none
    std::int64_t last_handshake_sec = 0; // unix time; 0: never
    std::uint64_t rx_bytes = 0, tx_bytes = 0;
    std::vector<std::string> allowed_ips;
};

std::string uapi_socket_path(const std::string& ifname); // /run/wireguard/IFNAME.sock

// Replaces the whole configuration of the device (replace_peers=true), so that
// applying the same configuration twice changes nothing. Throws StepError.
void uapi_set(const std::string& ifname, const WgDeviceConfig& config);

// The peers as the device reports them. Throws StepError.
std::vector<WgPeerStatus> uapi_get(const std::string& ifname);

// Waits until the UAPI socket accepts connections (the daemon is ready), the
// process pid exits, or the timeout passes. Returns whether it is ready.
bool uapi_wait_ready(const std::string& ifname, pid_t pid, std::chrono::milliseconds timeout);

// Starts a userspace WireGuard daemon for ifname in the current network
// namespace: `command ifname` with WG_PROCESS_FOREGROUND=1, in its own session,
// stdin from /dev/null, stdout and stderr to log_fd (or /dev/null when -1).
// command is split at blanks; empty means "wireguard-go". Returns its pid.
// Throws StepError.
pid_t spawn_userspace(const std::string& command, const std::string& ifname, int log_fd);

} // namespace nsvpn
