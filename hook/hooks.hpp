// PreUp, PostUp, PreDown and PostDown commands, run as wg-quick runs them: by
// /bin/sh -c in the host's namespaces, with %i replaced by the interface name.
#pragma once

#include <string>
#include <vector>

namespace nsvpn {

// The command with every %i replaced (pure).
std::string substitute_interface(const std::string& command, const std::string& ifname);

// Runs the commands in order, stopping at the first that fails. Throws StepError
// naming the kind (e.g. "PostUp") and the command's exit status.
void run_hooks(const std::string& kind, const std::vector<std::string>& commands);

} // namespace nsvpn
