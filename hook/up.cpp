#include "up.hpp"

#include "../config/loader.hpp"
#include "../config/secrets.hpp"
#include "dns.hpp"
#include "error.hpp"
#include "expose.hpp"
#include "fd.hpp"
#include "hooks.hpp"
#include "log.hpp"
#include "netlink.hpp"
#include "netns.hpp"
#include "plan.hpp"
#include "state.hpp"
#include "sysctl.hpp"
#include "wg_genl.hpp"
#include "wg_uapi.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nsvpn {

namespace {

using namespace std::chrono_literals;

// Holds /run/nsvpn/NAME/lock: one up or down of a VPN at a time. A down that
// ends removes the lock file (and its directory) while holding it, so a waiter
// that then gets the lock checks that it locked the file that is at the path now,
// and tries again when it did not.
class VpnLock {
  public:
    explicit VpnLock(const std::string& name) {
        const std::string dir = runtime_dir_of(name), path = dir + "/lock";
        for (;;) {
            if (mkdir("/run/nsvpn", 0755) < 0 && errno != EEXIST)
                throw system_error("create /run/nsvpn");
            if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST)
                throw system_error("create " + dir);
            fd_ = Fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
            if (!fd_) {
                if (errno == ENOENT)
                    continue; // the directory went away between mkdir and open
                throw system_error("lock " + path);
            }
            while (flock(fd_.get(), LOCK_EX) < 0)
                if (errno != EINTR)
                    throw system_error("lock " + path);
            struct stat held, now;
            if (fstat(fd_.get(), &held) == 0 && stat(path.c_str(), &now) == 0 &&
                held.st_dev == now.st_dev && held.st_ino == now.st_ino)
                return;
        }
    }

  private:
    Fd fd_;
};

// The peers' and the device's settings for the UAPI, keys read into memory only.
WgDeviceConfig device_config(const SearchPath& sp, const Config& c) {
    WgDeviceConfig d;
    const auto& i = c.interface;
    if (i.private_key) {
        d.private_key = i.private_key->value;
    } else {
        auto k = read_key_file(sp.real(i.private_key_file->value));
        if (!k)
            throw StepError("read PrivateKeyFile " + i.private_key_file->value, k.error());
        d.private_key = *k;
    }
    if (i.listen_port)
        d.listen_port = i.listen_port->value;
    if (i.fwmark)
        d.fwmark = i.fwmark->value;
    for (const auto& p : c.peers) {
        WgPeerConfig w;
        w.public_key = p.public_key->value;
        if (p.preshared_key) {
            w.preshared_key = p.preshared_key->value;
        } else if (p.preshared_key_file) {
            auto k = read_key_file(sp.real(p.preshared_key_file->value));
            if (!k)
                throw StepError("read PresharedKeyFile " + p.preshared_key_file->value, k.error());
            w.preshared_key = *k;
        }
        for (const auto& a : p.allowed_ips)
            w.allowed_ips.push_back(a.value);
        if (p.persistent_keepalive)
            w.persistent_keepalive = p.persistent_keepalive->value;
        d.peers.push_back(std::move(w));
    }
    return d;
}

// Resolves the endpoints in the host's namespace. Host names are retried for a
// while, as wg(8) does, so that a VPN started early in boot waits for DNS.
void resolve_endpoints(const Config& c, WgDeviceConfig& d, const std::string& vpn) {
    for (std::size_t n = 0; n < c.peers.size(); ++n) {
        if (!c.peers[n].endpoint)
            continue;
        const Endpoint& e = c.peers[n].endpoint->value;
        addrinfo hints{};
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_NUMERICSERV | (e.host_is_address ? AI_NUMERICHOST : 0);
        std::string port = std::to_string(e.port);
        for (int attempt = 1;; ++attempt) {
            addrinfo* res = nullptr;
            int err = getaddrinfo(e.host.c_str(), port.c_str(), &hints, &res);
            if (err == 0) {
                sockaddr_storage ss{};
                std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
                freeaddrinfo(res);
                d.peers[n].endpoint = ss;
                break;
            }
            if (e.host_is_address || attempt >= 15)
                throw StepError("resolve Endpoint " + e.text(), gai_strerror(err));
            if (attempt == 1)
                log_warning(vpn, "cannot resolve " + e.host + " yet (" + gai_strerror(err) +
                                     "); trying again");
            std::this_thread::sleep_for(attempt < 5 ? 1s : 2s);
        }
    }
}

bool alive(pid_t pid, unsigned long long start) {
    if (pid <= 0 || process_start_time(pid) != start)
        return false;
    // process_start_time already counts a zombie as gone; reap it if it is ours
    int status;
    return waitpid(pid, &status, WNOHANG) != pid;
}

// Waits up to timeout for the process to exit; returns whether it has. Its pidfd
// (-1 on a kernel without pidfds: then /proc is polled) becomes readable as soon
// as it has exited.
bool wait_exit(int pidfd, pid_t pid, unsigned long long start, std::chrono::milliseconds timeout) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    while (alive(pid, start)) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= 0ms)
            return false;
        if (pidfd >= 0) {
            pollfd p{pidfd, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
                throw system_error("wait for process " + std::to_string(pid));
        } else {
            std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(5)));
        }
    }
    return true;
}

// Stops the process (SIGTERM, SIGKILL after 2 s) and returns once it has exited.
// A daemon whose tun is gone is already on its way out: it is waited for the
// moment it is gone, not in steps.
void stop_process(pid_t pid, unsigned long long start) {
    if (!alive(pid, start))
        return;
    Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd && errno == ESRCH)
        return; // gone (and reaped) since; other failures: signals and /proc instead
    // the PID may have been reused before pidfd_open: it must still be the daemon
    if (!alive(pid, start))
        return;
    if (pidfd ? syscall(SYS_pidfd_send_signal, pidfd.get(), SIGTERM, nullptr, 0)
              : kill(pid, SIGTERM))
        return; // ESRCH
    if (wait_exit(pidfd.get(), pid, start, 2s))
        return;
    if (pidfd ? syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0)
              : kill(pid, SIGKILL))
        return;
    if (!wait_exit(pidfd.get(), pid, start, 5s))
        throw StepError("stop the userspace daemon (pid " + std::to_string(pid) + ")",
                        "it has not exited 5 s after SIGKILL");
}

// The log of the userspace daemon: the journal when we log there, else nowhere
// (a pipe would keep whoever reads our output waiting for the daemon's end).
Fd daemon_log() {
    if (stderr_is_journal())
        return Fd(fcntl(2, F_DUPFD_CLOEXEC, 3));
    return Fd();
}

// Removes what state records, best effort: every step is tried; the failures are returned.
std::vector<std::string> teardown(const UpState& st) {
    std::vector<std::string> errors;
    auto attempt = [&](auto&& step) { try_step(errors, step); };
    if (st.complete)
        attempt([&] { run_hooks("PreDown", st.pre_down); });
    {
        Fd nsfd;
        if (netns_exists(st.name))
            attempt([&] { nsfd = open_netns(st.name); });
        for (auto& e : remove_exposure(st, nsfd ? nsfd.get() : -1))
            errors.push_back(std::move(e));
    }
    attempt([&] {
        if (!netns_exists(st.name))
            return;
        Fd nsfd = open_netns(st.name);
        Netlink ns = Netlink::in(nsfd.get());
        for (const auto& ifname : {st.ns_ifname, st.host_ifname})
            if (!ifname.empty())
                if (auto idx = ns.link_index(ifname))
                    ns.remove(*idx);
    });
    attempt([&] {
        if (st.host_ifname.empty())
            return;
        Netlink host = Netlink::here();
        if (auto idx = host.link_index(st.host_ifname))
            host.remove(*idx);
    });
    attempt([&] { stop_process(st.pid, st.pid_start); });
    if (!st.host_ifname.empty() && !alive(st.pid, st.pid_start))
        unlink(uapi_socket_path(st.host_ifname).c_str());
    for (const auto& f : st.files)
        if (unlink(f.c_str()) < 0 && errno != ENOENT)
            errors.push_back("remove " + f + ": " + std::strerror(errno));
    rmdir(("/etc/netns/" + st.name).c_str()); // only when empty: it may hold the admin's files
    if (st.complete)
        attempt([&] { run_hooks("PostDown", st.post_down); });
    if (st.created_netns)
        attempt([&] { netns_delete(st.name); });
    return errors;
}

// Whether a recorded, complete up is still in place as this configuration wants it.
bool intact(const UpState& st, const Config& c) {
    if (!st.complete || st.ns_ifname != c.interface_name() || !netns_exists(c.name))
        return false;
    bool wanted_kernel = st.kernel ? c.implementation() != Implementation::Userspace
                                   : c.implementation() != Implementation::Kernel;
    if (!wanted_kernel)
        return false;
    if (!st.kernel &&
        (st.host_ifname != host_interface_name(c.name) || !alive(st.pid, st.pid_start)))
        return false;
    Fd nsfd = open_netns(c.name);
    return Netlink::in(nsfd.get()).link_index(st.ns_ifname).has_value();
}

// IPv6 of the namespace on or off (its own sysctls, seen from inside).
void set_ipv6_disabled(int nsfd, bool disabled) {
    InNetns inside(nsfd);
    for (const char* which : {"all", "default"}) {
        std::string path = std::string("net/ipv6/conf/") + which + "/disable_ipv6";
        if (disabled && !sysctl_exists(path))
            continue; // no IPv6 in this kernel at all: nothing to switch off
        write_sysctl(path, disabled ? "1" : "0");
    }
}

// What the namespace needs besides the interface: IPv6 on or off (its sysctls,
// which a link moved in later also takes, from "default"), and lo up.
void prepare_namespace(Netlink& ns, int nsfd, const Config& c) {
    set_ipv6_disabled(nsfd, !plan_namespace(c, {}).ipv6);
    if (auto lo = ns.link_index("lo"))
        ns.set_up(*lo);
}

// Addresses, MTU, link up, default routes: the interface, made to match the
// configuration (also on a second up).
void configure_interface(Netlink& ns, int idx, const Config& c) {
    const NamespacePlan plan = plan_namespace(c, ns.addresses(idx));
    if (plan.mtu)
        ns.set_mtu(idx, *plan.mtu);
    for (const auto& a : plan.remove)
        ns.remove_address(idx, a);
    for (const auto& a : plan.add)
        ns.add_address(idx, a);
    ns.set_up(idx);
    for (int family : plan.default_routes)
        ns.replace_default_route(idx, family);
}

void configure_namespace(Netlink& ns, int nsfd, int idx, const Config& c) {
    prepare_namespace(ns, nsfd, c);
    configure_interface(ns, idx, c);
}

// resolv.conf and nsswitch.conf for the services; /etc/netns/NAME/resolv.conf for
// `ip netns exec` users, when /etc is writable and the file is not someone else's.
void write_dns(UpState& st, const Config& c) {
    std::string dir = runtime_dir_of(c.name);
    std::string resolv = dir + "/resolv.conf", nsswitch = dir + "/nsswitch.conf";
    for (const auto& f : {resolv, nsswitch})
        if (std::find(st.files.begin(), st.files.end(), f) == st.files.end())
            st.files.push_back(f);
    write_state(st);
    write_file_atomically(resolv, resolv_conf_text(c));
    std::string host;
    if (FILE* f = std::fopen("/etc/nsswitch.conf", "re")) {
        char buf[4096];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
            host.append(buf, n);
        std::fclose(f);
    }
    write_file_atomically(nsswitch, nsswitch_text(host));

    std::string etc = "/etc/netns/" + c.name + "/resolv.conf";
    struct stat sb;
    bool ours = std::find(st.files.begin(), st.files.end(), etc) != st.files.end();
    if (!ours && lstat(etc.c_str(), &sb) == 0)
        return; // the administrator's own file
    if ((mkdir("/etc/netns", 0755) < 0 && errno != EEXIST) ||
        (mkdir(("/etc/netns/" + c.name).c_str(), 0755) < 0 && errno != EEXIST))
        return; // /etc is read-only: the drop-ins and nsvpn exec use /run/nsvpn/NAME
    if (!ours) {
        st.files.push_back(etc);
        write_state(st);
    }
    try {
        write_file_atomically(etc, resolv_conf_text(c));
    } catch (const StepError& e) {
        // only a convenience for `ip netns exec`; services and nsvpn exec do not need it
        log_warning(c.name, std::string(e.what()) + " (skipped)");
    }
}

// Forgets a VPN that is not up: its state, lock and runtime directory.
void forget(const std::string& name) {
    remove_state(name);
    unlink((runtime_dir_of(name) + "/lock").c_str());
    rmdir(runtime_dir_of(name).c_str());
}

// The userspace daemon makes its tun in the host namespace (so its UDP socket
// stays there); the tun is then moved into the VPN's namespace and renamed.
// Returns its index there. meanwhile() runs while the daemon starts up.
//
// (The daemon cannot be handed a tun made in the VPN's namespace instead, with
// WG_TUN_FD, which would spare the move: wireguard-go looks its tun up by name
// in its own namespace, the host's, to learn its index and set its MTU, and
// exits with "Failed to create TUN device: no such device". See bench/README.md.)
template <typename F>
int start_userspace(UpState& st, const Config& c, const WgDeviceConfig& dev, Netlink& host,
                    Netlink& ns, int nsfd, F&& meanwhile) {
    const std::string& name = st.name;
    if (auto stale = host.link_index(st.host_ifname))
        host.remove(*stale);
    // A daemon of an earlier run without a record still serves our socket: it
    // would remove the new daemon's socket when it exits. Stop it first.
    if (auto orphan = uapi_owner(st.host_ifname)) {
        log_warning(name,
                    "stopping the daemon of an earlier run (pid " + std::to_string(*orphan) + ")");
        stop_process(*orphan, process_start_time(*orphan));
        unlink(uapi_socket_path(st.host_ifname).c_str());
    }
    std::string command =
        c.ns.userspace_command ? c.ns.userspace_command->value : std::string("wireguard-go");
    Fd log = daemon_log();
    st.pid = spawn_userspace(command, st.host_ifname, log.get());
    st.pid_start = process_start_time(st.pid);
    write_state(st);
    // wireguard-go takes about 3 ms to open its UAPI socket: time for the rest
    meanwhile();
    if (!uapi_wait_ready(st.host_ifname, st.pid, 10s))
        throw StepError("start " + command + " " + st.host_ifname,
                        "it exited, or did not open " + uapi_socket_path(st.host_ifname) +
                            " within 10 s");

    auto idx = host.link_index(st.host_ifname);
    if (!idx)
        throw StepError("find " + st.host_ifname, "the userspace daemon made no such link");
    // Moving a link to another namespace is mostly waiting (for an RCU grace
    // period, in rcu_barrier(): 13 to 20 ms here), not work; the kernel holds
    // the RTNL lock all along, so that no other netlink change can be made
    // meanwhile, but the daemon can be configured through its UAPI socket. The
    // mover has the host's netlink socket to itself until it is joined, which
    // happens also when the configuration throws.
    std::exception_ptr move_failed;
    {
        std::jthread mover([&] {
            try {
                host.move_to(*idx, nsfd);
            } catch (...) {
                move_failed = std::current_exception();
            }
        });
        uapi_set(st.host_ifname, dev);
    }
    if (move_failed)
        std::rethrow_exception(move_failed);
    auto moved = ns.link_index(st.host_ifname);
    if (!moved)
        throw StepError("move " + st.host_ifname + " into namespace " + name,
                        "it is not there afterwards");
    ns.rename(*moved, st.ns_ifname);
    return *moved;
}

int report_config(const Loaded& l) {
    for (const auto& d : l.diags.list())
        log_message(d.severity == Severity::Error ? LOG_ERR : LOG_WARNING, l.config.name,
                    d.format());
    if (l.diags.has_io_errors())
        return 1; // a file that cannot be read is a runtime failure, as for validate
    return l.diags.has_errors() ? 2 : 0;
}

std::string describe(const Config& c) {
    std::string s = c.interface_name() + " up in namespace " + c.name + ", address";
    for (const auto& a : c.interface.addresses)
        s += " " + a.value.text();
    return s;
}

// What wg-NAME.service (Type=notify) is told when the VPN is up: with the
// userspace implementation, the daemon is its main process from then on.
std::string ready_message(const UpState& st, const Config& c) {
    std::string m = "READY=1\nSTATUS=" + describe(c);
    if (!st.kernel && st.pid > 0)
        m += "\nMAINPID=" + std::to_string(st.pid);
    return m;
}

} // namespace

std::string host_interface_name(const std::string& name) {
    // FNV-1a of the name: "nsv" + 8 hex digits, 11 bytes, unique per VPN in practice
    std::uint32_t h = 2166136261u;
    for (unsigned char ch : name)
        h = (h ^ ch) * 16777619u;
    char buf[16];
    std::snprintf(buf, sizeof buf, "nsv%08x", h);
    return buf;
}

int run_up(const std::string& name) {
    if (!valid_config_name(name)) {
        std::fprintf(stderr, "nsvpn up: \"%s\" is not a VPN name (1 to 32 of A-Z a-z 0-9 _ -)\n",
                     name.c_str());
        return 2;
    }
    const auto sp = SearchPath::from_environment();
    auto files = discover(sp, name);
    if (!files || files->masked) {
        std::fprintf(stderr, "nsvpn up: no configuration named %s%s\n", name.c_str(),
                     files ? " (it is masked)" : "");
        return 2;
    }
    Loaded loaded = load(sp, *files);
    check_secrets(sp, loaded.config, loaded.diags);
    if (int rc = report_config(loaded))
        return rc;
    const Config& c = loaded.config;

    UpState st;
    st.name = name;
    try {
        VpnLock lock(name);
        if (auto prev = read_state(name)) {
            if (intact(*prev, c)) {
                // Up already: apply the configuration again, which changes nothing
                // when it is the same.
                WgDeviceConfig dev = device_config(sp, c);
                resolve_endpoints(c, dev, name);
                Fd nsfd = open_netns(name);
                if (prev->kernel) {
                    InNetns inside(nsfd.get());
                    genl_set(prev->ns_ifname, dev);
                } else {
                    uapi_set(prev->host_ifname, dev);
                }
                Netlink ns = Netlink::in(nsfd.get());
                configure_namespace(ns, nsfd.get(), *ns.link_index(prev->ns_ifname), c);
                Netlink host = Netlink::here();
                apply_exposure(*prev, c, host, ns, nsfd.get());
                prev->pre_down.clear();
                prev->post_down.clear();
                for (const auto& cmd : c.interface.pre_down)
                    prev->pre_down.push_back(substitute_interface(cmd.value, prev->ns_ifname));
                for (const auto& cmd : c.interface.post_down)
                    prev->post_down.push_back(substitute_interface(cmd.value, prev->ns_ifname));
                write_dns(*prev, c); // records the state too
                log_info(name, "already up: " + describe(c));
                notify(ready_message(*prev, c));
                return 0;
            }
            log_info(name, "removing what an earlier, unfinished run left behind");
            for (const auto& e : teardown(*prev))
                log_warning(name, e);
            remove_state(name);
        }

        st.ns_ifname = c.interface_name();
        st.host_ifname = host_interface_name(name);
        for (const auto& cmd : c.interface.pre_down)
            st.pre_down.push_back(substitute_interface(cmd.value, st.ns_ifname));
        for (const auto& cmd : c.interface.post_down)
            st.post_down.push_back(substitute_interface(cmd.value, st.ns_ifname));
        write_state(st);

        try {
            std::vector<std::string> pre_up, post_up;
            for (const auto& cmd : c.interface.pre_up)
                pre_up.push_back(substitute_interface(cmd.value, st.ns_ifname));
            for (const auto& cmd : c.interface.post_up)
                post_up.push_back(substitute_interface(cmd.value, st.ns_ifname));
            run_hooks("PreUp", pre_up);

            if (!netns_exists(name)) {
                st.created_netns = true;
                write_state(st);
                netns_add(name);
            }
            Fd nsfd = open_netns(name);
            Netlink ns = Netlink::in(nsfd.get());
            Netlink host = Netlink::here();
            // The namespace is this VPN's own: a link of our name there is a leftover of a
            // run whose record is gone (e.g. /run/nsvpn was cleared); it would block us.
            if (auto leftover = ns.link_index(st.ns_ifname)) {
                log_warning(name, "removing " + st.ns_ifname +
                                      " left in the namespace by an earlier run without a record");
                ns.remove(*leftover);
            }

            WgDeviceConfig dev = device_config(sp, c);
            resolve_endpoints(c, dev, name);

            std::optional<int> idx;
            if (c.implementation() != Implementation::Userspace) {
                // Made from the host namespace straight into the VPN's: its UDP socket
                // stays in the host, the device lives only in the namespace.
                st.kernel = true;
                write_state(st);
                try {
                    host.create_wireguard(st.ns_ifname, nsfd.get());
                    {
                        InNetns inside(nsfd.get());
                        genl_set(st.ns_ifname, dev);
                    }
                    idx = ns.link_index(st.ns_ifname);
                    if (!idx)
                        throw StepError("create WireGuard link " + st.ns_ifname,
                                        "it is not in the namespace afterwards");
                } catch (const KernelLacksWireGuard&) {
                    if (c.implementation() == Implementation::Kernel)
                        throw;
                    log_info(name,
                             "the kernel has no WireGuard: using the userspace implementation");
                    st.kernel = false;
                    write_state(st);
                }
            }
            auto prepare = [&] {
                prepare_namespace(ns, nsfd.get(), c);
                write_dns(st, c);
            };
            if (st.kernel)
                prepare();
            else
                idx = start_userspace(st, c, dev, host, ns, nsfd.get(), prepare);
            configure_interface(ns, *idx, c);
            apply_exposure(st, c, host, ns, nsfd.get());
            run_hooks("PostUp", post_up);

            st.complete = true;
            write_state(st);
            log_info(name, describe(c));
            notify(ready_message(st, c));
            return 0;
        } catch (const std::exception& e) {
            log_error(name, e.what());
            for (const auto& err : teardown(st))
                log_warning(name, "while undoing: " + err);
            forget(name);
            return 1;
        }
    } catch (const std::exception& e) {
        log_error(name, e.what());
        return 1;
    }
}

int run_down(const std::string& name) {
    if (!valid_config_name(name)) {
        std::fprintf(stderr, "nsvpn down: \"%s\" is not a VPN name (1 to 32 of A-Z a-z 0-9 _ -)\n",
                     name.c_str());
        return 2;
    }
    try {
        VpnLock lock(name);
        auto st = read_state(name);
        if (!st) {
            log_info(name, "not up: nothing to remove");
            forget(name);
            return 0;
        }
        auto errors = teardown(*st);
        for (const auto& e : errors)
            log_error(name, e);
        forget(name);
        if (errors.empty())
            log_info(name, "down");
        return errors.empty() ? 0 : 1;
    } catch (const std::exception& e) {
        log_error(name, e.what());
        return 1;
    }
}

} // namespace nsvpn
