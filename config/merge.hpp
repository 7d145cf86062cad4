// Applying the sections of NAME.conf and its drop-ins, in order, to the model.
//
// Within one file a single-valued key may be set once. A later file (a drop-in)
// overrides single-valued keys and appends to lists; an empty assignment resets a
// key to its default (a list to empty). A [Peer] in a drop-in changes the peer of
// the same PublicKey, or adds a new one.
#pragma once

#include "diagnostic.hpp"
#include "ini.hpp"
#include "model.hpp"

#include <string>
#include <vector>

namespace nsvpn {

struct SourceFile {
    std::string path; // display path
    ParsedFile parsed;
};

// Builds the model from what parses; every problem goes to diags, so an invalid
// configuration still yields what could be read (e.g. the services to attach).
Config merge(const std::string& name, const std::vector<SourceFile>& files, Diagnostics& diags);

// The whole-configuration checks: required keys, contradictions.
void validate(const Config& config, Diagnostics& diags);

} // namespace nsvpn
