// What `nsvpn up NAME` made, recorded in /run/nsvpn/NAME/state before each step,
// so that `nsvpn down NAME` (or the next `up`, after a crash) removes exactly
// that, even when the configuration has changed or is gone.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nsvpn {

struct UpState {
    std::string name;
    bool complete = false;            // every step of up succeeded
    bool created_netns = false;       // up made /run/netns/NAME (down removes it)
    bool kernel = false;              // the kernel's WireGuard: no daemon, no tun in the host
    std::string host_ifname;          // the tun's name in the host (and of its UAPI socket)
    std::string ns_ifname;            // the interface's name in the namespace
    pid_t pid = 0;                    // the userspace daemon
    unsigned long long pid_start = 0; // its start time (/proc/PID/stat), against PID reuse
    std::vector<std::string> files;   // files up wrote
    std::vector<std::string> pre_down, post_down; // commands to run on down, %i replaced
    // [Expose]: the veth pair (by its host end; its peer goes with it), its subnet,
    // the nftables tables and the namespace's routing rule, and the host
    // interfaces whose forwarding this VPN relies on nsvpn having switched on.
    std::string veth;        // host end, e.g. nsx1234abcd
    std::string link;        // subnet, e.g. 169.254.18.4/30
    bool host_table = false; // inet nsvpn-NAME in the host
    bool ns_table = false;   // inet nsvpn, the fwmark rule, tcp_fwmark_accept in the namespace
    std::vector<std::string> forwarding;
};

std::string runtime_dir_of(const std::string& name); // /run/nsvpn/NAME
std::string state_file_of(const std::string& name);  // /run/nsvpn/NAME/state

// The record; nullopt when there is none, or (read_state) when it cannot be
// read or parsed. load_state throws StepError for those instead.
std::optional<UpState> read_state(const std::string& name);
std::optional<UpState> load_state(const std::string& name);
// Atomically (temp file and rename), mode 0600. Throws StepError.
void write_state(const UpState& state);
void remove_state(const std::string& name);

// The start time of a process, or 0 when there is no such process (or only its zombie).
unsigned long long process_start_time(pid_t pid);

// The pure text form, for tests.
std::string format_state(const UpState& state);
std::optional<UpState> parse_state(const std::string& text);

} // namespace nsvpn
