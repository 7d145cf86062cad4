#include "diagnostic.hpp"

#include <algorithm>

namespace nsvpn {

std::string Diagnostic::format() const {
    std::string s = file;
    if (line > 0)
        s += ":" + std::to_string(line);
    s += ": ";
    if (!key.empty())
        s += key + ": ";
    s += message;
    return s;
}

bool Diagnostics::has_errors() const {
    return std::any_of(list_.begin(), list_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

bool Diagnostics::has_io_errors() const {
    return std::any_of(list_.begin(), list_.end(), [](const Diagnostic& d) {
        return d.severity == Severity::Error && d.problem == Problem::Io;
    });
}

} // namespace nsvpn
