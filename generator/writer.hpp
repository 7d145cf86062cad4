// The one part of the generator that touches the file system.
#pragma once

#include "render.hpp"

#include <functional>
#include <string>

namespace nsvpn {

// Writes every file and symlink of out below dir, creating directories as needed.
// Like systemd's generator helpers it never overwrites: an existing file is an
// error. Returns false when anything failed; each failure goes to report.
bool write_output(const std::string& dir, const Output& out,
                  const std::function<void(const std::string&)>& report);

} // namespace nsvpn
