// nsvpn exec: run a command inside a VPN's namespace, with its DNS, as a user.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace nsvpn {

struct ExecOptions {
    std::string name;                // the VPN (namespace) name
    std::optional<std::string> user; // drop to this user (name or uid); none: stay root
    std::vector<std::string> command;
    // PR_SET_NO_NEW_PRIVS before the exec. Off by default, --user or not: it does
    // not keep traffic in the namespace (a set-user-ID program run from the command
    // still runs in it), and it would break ping (file capabilities; the namespace's
    // ping_group_range starts out disabled), sudo and su inside the VPN.
    bool no_new_privs = false;
};

// In order: opens the namespace; checks that the VPN's DNS files
// /run/nsvpn/NAME/{resolv.conf,nsswitch.conf} exist (missing: the VPN is not up,
// and the command never runs with the host's DNS); looks the user up; enters a
// new mount namespace (/ made a recursive slave, so nothing reaches the host's)
// and the network namespace; mounts a fresh /sys for the namespace's links; binds
// the DNS files read-only over /etc/resolv.conf and /etc/nsswitch.conf; binds
// /dev/null over the host resolver sockets (nscd, systemd-resolved) that exist;
// with a user, sets its groups, gid and uid (checking that no privilege is left)
// and HOME, USER, LOGNAME, SHELL, and changes to HOME when it can (the rest of the
// environment is kept); then execs the command, searched in PATH.
//
// Does not return on success (the command replaces this process). Otherwise it
// prints why to stderr and returns the exit status to use: 1 when the setup
// failed (the command did not run), 2 when no command was given, 127 when the
// command was not found and 126 when it was found but could not be executed (as
// a shell does). After a failure the process may be in the new namespaces: exit.
int run_exec(const ExecOptions& options);

} // namespace nsvpn
