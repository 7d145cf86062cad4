// Rendering units from configurations: a pure function from a few facts per VPN
// to the files and symlinks a generator run writes. No I/O here.
#pragma once

#include <string>
#include <vector>

namespace nsvpn {

struct VpnUnits {
    std::string name;
    std::string source; // display path of NAME.conf
    bool valid = true;  // false: wg-NAME.service fails, services stay off
    bool autostart = true;
    std::vector<std::string> services; // normalised unit names
    std::vector<std::string> errors;   // formatted, for the failing unit's comment
};

struct OutputFile {
    std::string path; // relative to the output directory
    std::string content;
};

struct OutputLink {
    std::string path; // relative to the output directory
    std::string target;
};

struct Output {
    std::vector<OutputFile> files;
    std::vector<OutputLink> links;
};

// helper: the absolute path of the nsvpn binary the units call.
Output render(const std::vector<VpnUnits>& vpns, const std::string& helper);

// Runtime paths shared with the helper.
std::string netns_path(const std::string& name);       // /run/netns/NAME
std::string runtime_dir(const std::string& name);      // /run/nsvpn/NAME
std::string resolv_conf_path(const std::string& name); // /run/nsvpn/NAME/resolv.conf
std::string nsswitch_path(const std::string& name);    // /run/nsvpn/NAME/nsswitch.conf

} // namespace nsvpn
