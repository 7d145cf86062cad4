// nsvpn exec: run a command inside a VPN's namespace, with its DNS, as a user.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace nsvpn {

struct ExecOptions {
    std::string name;                // the VPN (namespace) name
    std::optional<std::string> user; // drop to this user (name or uid); none: stay root
    std::vector<std::string> command;
};

// Does not return on success (the command replaces this process); returns the
// exit status to use on failure (1), after printing why.
int run_exec(const ExecOptions& options);

} // namespace nsvpn
