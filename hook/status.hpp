// nsvpn status [NAME] [--json]: what each VPN looks like right now.
//
// Gathering (status_gather.cpp) reads the state record, the configuration,
// netlink, the WireGuard device (UAPI or generic netlink) and systemd (sd-bus);
// formatting (status_format.cpp) is pure: a VpnStatus in, text out. See the
// JSON schema in nsvpn(8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nsvpn {

// A unit as systemd reports it; nullopt fields: systemd could not be asked.
struct UnitStatus {
    std::string name;                        // wg-NAME.service, rssbot.service
    std::optional<std::string> load_state;   // loaded, not-found, masked, ...
    std::optional<std::string> active_state; // active, inactive, failed, activating, ...
    std::optional<std::string> sub_state;    // running, exited, dead, listening, ...
    std::optional<std::uint32_t> main_pid;   // 0: no main process (services only)
};

// Where an attached service's main process runs, relative to the VPN's namespace.
enum class Placement { Unknown, NotRunning, Inside, Outside };

struct ServiceStatus {
    UnitStatus unit;
    std::optional<bool> running; // nullopt: unknown
    Placement placement = Placement::Unknown;
};

struct PeerStatus {
    std::string public_key;                       // base64
    std::optional<std::string> endpoint;          // "IP:PORT" or "[IPv6]:PORT"
    std::optional<std::int64_t> latest_handshake; // unix time (s); nullopt: never
    std::uint64_t rx_bytes = 0, tx_bytes = 0;
    std::vector<std::string> allowed_ips;
};

struct ExposedPortStatus {
    std::uint16_t host_port = 0, port = 0;
    std::string protocol; // "tcp" or "udp"
};

struct ExposeStatus {
    std::vector<ExposedPortStatus> ports;      // from the configuration
    std::vector<std::string> listen_addresses; // from the configuration (default 127.0.0.1)
    std::optional<std::string> veth;           // from the record: the host's end
    std::optional<std::string> link;           // from the record: the veth's subnet
};

enum class Record { None, Incomplete, Complete };

struct VpnStatus {
    std::string name;
    // the configuration: nullopt path when there is none (only a state record)
    std::optional<std::string> config;
    bool masked = false;
    bool config_valid = false;
    UnitStatus unit;
    Record record = Record::None;
    bool up = false; // a complete record and the namespace there
    std::string netns_path;
    bool netns_present = false;
    std::optional<std::string> implementation; // "kernel" or "userspace" (from the record)
    std::optional<std::uint32_t> daemon_pid;   // userspace only
    std::optional<bool> daemon_running;
    std::optional<std::string> interface;      // in the namespace
    std::optional<std::string> host_interface; // userspace: the tun's name in the host
    std::vector<std::string> addresses;
    std::vector<PeerStatus> peers;
    std::optional<ExposeStatus> expose; // nullopt: no [Expose] and no veth recorded
    std::vector<ServiceStatus> services;
    std::vector<std::string> warnings; // what is wrong with the VPN
    std::vector<std::string> errors;   // what could not be read (exit status 1)
};

// --- gathering (status_gather.cpp): reads the system -----------------------

// The VPNs to show: every configuration on the search path (masked ones
// included) and every VPN with a state record in /run/nsvpn, sorted by name.
std::vector<std::string> status_names();

// Whether NAME has a configuration (masked included) or a state record.
bool status_known(const std::string& name);

// Everything about one VPN. Never throws: what cannot be read goes to errors.
VpnStatus gather_status(const std::string& name);

// Exit status: 0, 1 when something could not be read, 2 for an unknown name.
int run_status(const std::optional<std::string>& name, bool json);

// --- formatting (status_format.cpp): pure -----------------------------------

// JSON string literal of text, quotes included; invalid UTF-8 becomes U+FFFD.
std::string json_quote(const std::string& text);

// now: unix time (s), for the handshakes' ages.
std::string format_status_json(const std::vector<VpnStatus>& vpns, std::int64_t now);
std::string format_status_table(const std::vector<VpnStatus>& vpns, std::int64_t now);

// "3s", "2m 5s", "1h 2m", "4d 3h"
std::string format_age(std::int64_t seconds);
// "512 B", "1.21 KiB", "3.40 MiB" (as wg show)
std::string format_bytes(std::uint64_t bytes);

} // namespace nsvpn
