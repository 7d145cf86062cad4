// [Expose] applied: the veth pair, its addresses, the namespace's reply route
// and rule, the nftables tables on both sides, and the per-interface sysctls.
// Every part is recorded in the state before it is made.
#pragma once

#include "../config/model.hpp"
#include "netlink.hpp"
#include "state.hpp"

#include <string>
#include <vector>

namespace nsvpn {

// Makes the exposure match the configuration (also on a second up, and removes
// it when the configuration no longer exposes anything). Throws StepError.
void apply_exposure(UpState& state, const Config& config, Netlink& host, Netlink& ns, int netns_fd);

// Removes what state records of the exposure, best effort; returns the failures.
// netns_fd is -1 when the namespace is gone.
std::vector<std::string> remove_exposure(const UpState& state, int netns_fd);

} // namespace nsvpn
