// nsvpn validate: check configurations without applying them.
#pragma once

#include <string>
#include <vector>

namespace nsvpn {

struct ValidateOptions {
    std::vector<std::string> targets; // NAME or FILE (contains '/' or ends in .conf); empty: all
    bool fail = false;                // used by a failing wg-NAME.service: never exit 0
};

// Exit status: 0 valid (warnings allowed), 2 configuration errors, 1 runtime failure.
int run_validate(const ValidateOptions& options);

} // namespace nsvpn
