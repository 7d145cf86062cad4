// The plain model of one VPN configuration (NAME.conf plus its drop-ins), as
// described in nsvpn.conf(5). Every value remembers where it was set, so later
// checks can name file, line and key.
#pragma once

#include "values.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nsvpn {

struct SourceLoc {
    std::string file; // as shown to people: without the NSVPN_ROOT prefix
    unsigned line = 0;
};

template <typename T> struct Located {
    T value;
    SourceLoc where;
};

template <typename T> using Setting = std::optional<Located<T>>;
template <typename T> using ListSetting = std::vector<Located<T>>;

enum class Implementation { Auto, Kernel, Userspace };

struct InterfaceSection {
    Setting<SecretKey> private_key;
    Setting<std::string> private_key_file;
    ListSetting<IpPrefix> addresses;
    ListSetting<IpAddress> dns_servers;
    ListSetting<std::string> dns_search;
    Setting<std::uint32_t> mtu;
    Setting<std::uint16_t> listen_port;
    Setting<std::uint32_t> fwmark;
    ListSetting<std::string> pre_up, post_up, pre_down, post_down;
};

struct Peer {
    SourceLoc section; // where its [Peer] header is
    Setting<PublicKey> public_key;
    Setting<SecretKey> preshared_key;
    Setting<std::string> preshared_key_file;
    Setting<Endpoint> endpoint;
    ListSetting<IpPrefix> allowed_ips;
    Setting<std::uint16_t> persistent_keepalive;
};

struct NamespaceSection {
    Setting<std::string> interface;    // default "wg0"
    ListSetting<std::string> services; // normalised unit names ("x" -> "x.service")
    Setting<bool> autostart;           // default yes
    Setting<Implementation> implementation;
    Setting<std::string> userspace_command;
};

struct ExposeSection {
    ListSetting<ExposedPort> ports;
    ListSetting<IpAddress> listen_addresses; // default 127.0.0.1
    Setting<IpPrefix> link_subnet;
};

struct Config {
    std::string name;
    SourceLoc source;                 // the main file
    std::vector<std::string> dropins; // display paths, in the order applied
    SourceLoc interface_section;      // the first [Interface] header (line 0: none)
    InterfaceSection interface;
    std::vector<Peer> peers;
    NamespaceSection ns;
    ExposeSection expose;

    std::string interface_name() const { return ns.interface ? ns.interface->value : "wg0"; }
    bool autostart() const { return ns.autostart ? ns.autostart->value : true; }
    Implementation implementation() const {
        return ns.implementation ? ns.implementation->value : Implementation::Auto;
    }
};

} // namespace nsvpn
