// The namespace's name service files: resolv.conf from DNS=, and an nsswitch.conf
// whose hosts: line reaches nothing but /etc/hosts and the VPN's name servers.
#pragma once

#include "../config/model.hpp"

#include <string>

namespace nsvpn {

// "nameserver ADDR" per DNS= address, "search D1 D2" for the names (pure).
std::string resolv_conf_text(const Config& config);

// The host's nsswitch.conf with its hosts: line replaced by "hosts: files dns"
// (or a minimal file when the host has none) (pure).
std::string nsswitch_text(const std::string& host_nsswitch);

// Writes path atomically (temp file and rename) with mode 0644. Throws StepError.
void write_file_atomically(const std::string& path, const std::string& text);

} // namespace nsvpn
