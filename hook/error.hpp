// Failures of the helper: what it was doing and the system's reason.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace nsvpn {

// "STEP: REASON", e.g. "move wg0 into namespace vpn: Operation not permitted".
class StepError : public std::runtime_error {
  public:
    StepError(const std::string& step, const std::string& reason)
        : std::runtime_error(step + ": " + reason), step_(step), reason_(reason) {}
    const std::string& step() const { return step_; }
    const std::string& reason() const { return reason_; }

  private:
    std::string step_, reason_;
};

// The kernel cannot make a WireGuard link ("Unknown device type").
class KernelLacksWireGuard : public StepError {
  public:
    using StepError::StepError;
};

// A StepError from errno (or the given error number).
inline StepError system_error(const std::string& step, int err = errno) {
    return StepError(step, std::strerror(err));
}

// Runs step; a failure is added to errors rather than thrown (for teardowns,
// which try every step).
template <typename Step> void try_step(std::vector<std::string>& errors, Step&& step) {
    try {
        step();
    } catch (const std::exception& e) {
        errors.push_back(e.what());
    }
}

} // namespace nsvpn
