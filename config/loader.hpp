// Finding and reading configurations: the search path, masking, drop-ins.
//
// NAME.conf is looked up in /etc/nsvpn, /run/nsvpn, /usr/local/lib/nsvpn and
// /usr/lib/nsvpn; the first directory that has it wins. A winning file that is
// empty or a symlink to /dev/null masks the name. Drop-ins NAME.conf.d/*.conf are
// collected from all four directories, a file name in an earlier directory hiding
// the same name in later ones, and applied in lexical order of their names.
// NSVPN_ROOT, when set, is put in front of every path (for tests).
#pragma once

#include "diagnostic.hpp"
#include "model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nsvpn {

struct SearchPath {
    std::string root;              // "" or a directory without trailing '/'
    std::vector<std::string> dirs; // absolute, as seen by the system (without root)

    static SearchPath standard(std::string root = "");
    static SearchPath from_environment(); // honours NSVPN_ROOT
    std::string real(const std::string& display) const { return root + display; }
};

struct ConfigFiles {
    std::string name;
    std::string main; // display path (without root)
    bool masked = false;
    std::vector<std::string> dropins; // display paths, in the order to apply
};

// Every NAME.conf on the search path, sorted by name, masked ones included.
// Files whose name is not a valid NAME are reported and left out.
std::vector<ConfigFiles> discover_all(const SearchPath& sp, Diagnostics& diags);

// One name; nullopt when there is no such file.
std::optional<ConfigFiles> discover(const SearchPath& sp, const std::string& name);

// An explicitly given file and the drop-ins in FILE.d/ beside it (no search path).
ConfigFiles files_for_path(const std::string& path);

struct Loaded {
    ConfigFiles files;
    Config config;
    Diagnostics diags;
    bool valid() const { return !diags.has_errors(); }
};

// Reads, parses, merges and validates. Never throws for bad input.
Loaded load(const SearchPath& sp, const ConfigFiles& files);

// A service attached to two VPNs is an error in both; adds those errors.
void check_service_conflicts(std::vector<Loaded>& all);

} // namespace nsvpn
