// Sysctls of the calling thread's network namespace (/proc/sys/net, as seen
// from there), by their path under /proc/sys, e.g. "net/ipv4/tcp_fwmark_accept".
#pragma once

#include <string>

namespace nsvpn {

// The value, without its line end. Throws StepError.
std::string read_sysctl(const std::string& path);
// Throws StepError.
void write_sysctl(const std::string& path, const std::string& value);
// Whether the kernel has the setting (e.g. no net/ipv6 without IPv6).
bool sysctl_exists(const std::string& path);

} // namespace nsvpn
