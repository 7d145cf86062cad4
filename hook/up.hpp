// nsvpn up NAME / nsvpn down NAME: bring a VPN's tunnel into its namespace and
// take it out again.
//
// up is "ensure": it makes what is missing, leaves what is right, and undoes its
// own work when a step fails. What it makes is recorded (state.hpp) before each
// step, so down, and an up after a crash or kill -9, remove exactly that.
#pragma once

#include <string>

namespace nsvpn {

// Exit status: 0 up, 1 a step failed (undone), 2 configuration or usage error.
int run_up(const std::string& name);

// Exit status: 0 down (also when nothing was up), 1 when something could not be
// removed (every step is still tried).
int run_down(const std::string& name);

// The tun's name in the host namespace for VPN name: short, fixed, ours (pure).
std::string host_interface_name(const std::string& name);

} // namespace nsvpn
