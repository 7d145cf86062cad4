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
    std::string endpoint;                // "" when none
    std::int64_t last_handshake_sec = 0; // unix time; 0: never
    std::uint64_t rx_bytes = 0, tx_bytes = 0;
    std::vector<std::string> allowed_ips;
    std::uint16_t persistent_keepalive = 0; // seconds; 0: off
    bool has_preshared_key = false;         // (the key itself is never read out)
};

std::string uapi_socket_path(const std::string& ifname); // /run/wireguard/IFNAME.sock

// "IP:PORT" or "[IPv6]:PORT", numeric, as the UAPI and wg(8) write an endpoint.
// Throws StepError(step, ...) for a family other than IPv4 and IPv6.
std::string endpoint_text(const sockaddr_storage& ss, const std::string& step);

// Replaces the whole configuration of the device, so that applying the same
// configuration twice changes nothing: the device ends with exactly the peers
// of config (like replace_peers=true), but it reads the peers first and removes
// only those config does not name, so the peers that stay keep their sessions
// (as `wg syncconf` does). Each peer's preshared key, keepalive and allowed IPs
// are set (an absent preshared key clears it). listen_port 0 leaves the port the
// device has (setting it would rebind to a new random port every time); fwmark
// 0 clears the mark. A peer without endpoint keeps one it learned. Throws
// StepError ("configure WireGuard IFNAME: ..."), whose text never holds a key.
void uapi_set(const std::string& ifname, const WgDeviceConfig& config);

// The peers as the device reports them. Throws StepError.
std::vector<WgPeerStatus> uapi_get(const std::string& ifname);

// The process serving the UAPI socket of ifname (SO_PEERCRED), if one does.
std::optional<pid_t> uapi_owner(const std::string& ifname);

// Waits until the UAPI socket accepts connections (the daemon is ready), the
// process pid exits, or the timeout passes. Returns whether it is ready. An
// exited child is not reaped here (its parent still waitpid()s it); pid <= 0
// means no process to watch.
bool uapi_wait_ready(const std::string& ifname, pid_t pid, std::chrono::milliseconds timeout);

// Starts a userspace WireGuard daemon for ifname in the current network
// namespace: `command ifname` with WG_PROCESS_FOREGROUND=1, in its own session,
// stdin from /dev/null, stdout and stderr to log_fd (or /dev/null when -1).
// command is split at blanks; empty means "wireguard-go". Returns its pid.
// Every other fd is closed in the child, the signal mask is emptied and all
// signal dispositions are the defaults. Throws StepError (also when command
// cannot be executed).
// The daemon is our child: `nsvpn up` does not wait for it but exits, and it is
// reparented to the service manager (or init), which reaps it; a caller that
// stays (a test) must waitpid() it.
// The daemon exits by itself when its tun link is deleted.
pid_t spawn_userspace(const std::string& command, const std::string& ifname, int log_fd);

} // namespace nsvpn
