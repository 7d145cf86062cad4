// nsvpn status: reads what each VPN looks like (the state record, the
// configuration, the namespace's links over netlink, the WireGuard device over
// its UAPI socket or generic netlink, systemd over D-Bus). It changes nothing.
#include "../config/loader.hpp"
#include "error.hpp"
#include "expose_plan.hpp"
#include "fd.hpp"
#include "netlink.hpp"
#include "netns.hpp"
#include "state.hpp"
#include "status.hpp"
#include "sdbus.hpp"
#include "wg_genl.hpp"
#include "wg_uapi.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

namespace {

struct BusUnref {
    void operator()(sd_bus* b) const { sd_bus_library()->flush_close_unref(b); }
};
struct MessageUnref {
    void operator()(sd_bus_message* m) const { sd_bus_library()->message_unref(m); }
};

// An sd_bus_error freed when it goes.
struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    BusError() = default;
    BusError(const BusError&) = delete;
    BusError& operator=(const BusError&) = delete;
    ~BusError() {
        if (const SdBusLibrary* lib = sd_bus_library())
            lib->error_free(&e);
    }
    std::string text(int r) const { return e.message ? e.message : std::strerror(r < 0 ? -r : r); }
};

constexpr const char* kSystemd = "org.freedesktop.systemd1";

// systemd's view of units, over the system bus. Without systemd (not booted
// with it, or no bus), every state is unknown and nothing fails.
class Systemd {
  public:
    Systemd() {
        if (!systemd_booted())
            return;
        lib_ = sd_bus_library();
        sd_bus* raw = nullptr;
        if (!lib_ || lib_->open_system(&raw) < 0)
            return;
        bus_.reset(raw);
        lib_->set_method_call_timeout(bus_.get(), 10 * 1000 * 1000);
    }

    // The unit's states (and MainPID for a service). A failure of the bus is a
    // warning; the states stay unknown.
    UnitStatus unit(const std::string& name, std::vector<std::string>& warnings) {
        UnitStatus u;
        u.name = name;
        if (!bus_)
            return u;
        auto path = unit_path(name, warnings);
        if (!path)
            return u;
        u.load_state = property(*path, "org.freedesktop.systemd1.Unit", "LoadState", warnings);
        u.active_state = property(*path, "org.freedesktop.systemd1.Unit", "ActiveState", warnings);
        u.sub_state = property(*path, "org.freedesktop.systemd1.Unit", "SubState", warnings);
        if (name.ends_with(".service") && u.load_state && u.load_state != "loaded") {
            u.main_pid = 0; // not-found, masked, bad-setting: no process
        } else if (name.ends_with(".service") && u.load_state) {
            BusError err;
            std::uint32_t pid = 0;
            int r = lib_->get_property_trivial(bus_.get(), kSystemd, path->c_str(),
                                                "org.freedesktop.systemd1.Service", "MainPID",
                                                &err.e, 'u', &pid);
            if (r < 0)
                warnings.push_back("ask systemd for the MainPID of " + name + ": " + err.text(r));
            else
                u.main_pid = pid;
        }
        return u;
    }

  private:
    // GetUnit, or LoadUnit when the unit is not loaded (a unit that does not
    // exist loads as "not-found").
    std::optional<std::string> unit_path(const std::string& name,
                                         std::vector<std::string>& warnings) {
        for (const char* method : {"GetUnit", "LoadUnit"}) {
            BusError err;
            sd_bus_message* raw = nullptr;
            int r = lib_->call_method(bus_.get(), kSystemd, "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", method, &err.e, &raw,
                                       "s", name.c_str());
            std::unique_ptr<sd_bus_message, MessageUnref> reply(raw);
            if (r < 0) {
                if (std::string_view(method) == "GetUnit" &&
                    lib_->error_has_name(&err.e, "org.freedesktop.systemd1.NoSuchUnit"))
                    continue;
                warnings.push_back("ask systemd about " + name + ": " + err.text(r));
                return std::nullopt;
            }
            const char* path = nullptr;
            if ((r = lib_->message_read(reply.get(), "o", &path)) < 0) {
                warnings.push_back("ask systemd about " + name + ": " + std::strerror(-r));
                return std::nullopt;
            }
            return std::string(path);
        }
        return std::nullopt;
    }

    std::optional<std::string> property(const std::string& path, const char* interface,
                                        const char* member, std::vector<std::string>& warnings) {
        BusError err;
        char* value = nullptr;
        int r = lib_->get_property_string(bus_.get(), kSystemd, path.c_str(), interface, member,
                                           &err.e, &value);
        if (r < 0) {
            warnings.push_back(std::string("ask systemd for ") + member + ": " + err.text(r));
            return std::nullopt;
        }
        std::string s = value;
        std::free(value);
        return s;
    }

    const SdBusLibrary* lib_ = nullptr;
    std::unique_ptr<sd_bus, BusUnref> bus_;
};

// The names of VPNs that have a state record (or a runtime directory we cannot look into).
std::vector<std::string> recorded_names() {
    std::vector<std::string> names;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir("/run/nsvpn"), closedir);
    if (!dir)
        return names;
    while (dirent* e = readdir(dir.get())) {
        std::string name = e->d_name;
        if (!valid_config_name(name))
            continue; // ".", "..", ".forwarding", ".expose.lock"
        struct stat sb;
        std::string dirpath = "/run/nsvpn/" + name;
        if (stat(dirpath.c_str(), &sb) < 0 || !S_ISDIR(sb.st_mode))
            continue; // NAME.conf and the like
        if (stat(state_file_of(name).c_str(), &sb) == 0 || errno == EACCES)
            names.push_back(name);
    }
    return names;
}

const char* protocol_name(Protocol p) {
    return p == Protocol::Tcp ? "tcp" : "udp";
}

// The attached service's main process against the VPN's namespace.
void place_service(ServiceStatus& s, const std::optional<struct stat>& netns, VpnStatus& v) {
    const UnitStatus& u = s.unit;
    if (!u.active_state)
        return; // unknown
    bool is_service = u.name.ends_with(".service");
    std::uint32_t pid = u.main_pid.value_or(0);
    s.running = pid != 0 || u.sub_state == "running" || (!is_service && u.active_state == "active");
    if (!*s.running) {
        s.placement = Placement::NotRunning;
        return;
    }
    if (pid == 0)
        return; // a socket, or a service without a main process: unknown
    struct stat sb;
    if (stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &sb) < 0) {
        if (errno != ENOENT)
            v.errors.push_back("read the network namespace of " + u.name + " (pid " +
                               std::to_string(pid) + "): " + std::strerror(errno));
        return;
    }
    if (netns && sb.st_dev == netns->st_dev && sb.st_ino == netns->st_ino) {
        s.placement = Placement::Inside;
    } else {
        s.placement = Placement::Outside;
        v.warnings.push_back(u.name + " runs OUTSIDE the VPN's namespace (pid " +
                             std::to_string(pid) + ")");
    }
}

// The interface's addresses and the device's peers, from inside the namespace.
void read_device(VpnStatus& v, const UpState& st) {
    Fd nsfd = open_netns(v.name);
    Netlink ns = Netlink::in(nsfd.get());
    auto idx = ns.link_index(st.ns_ifname);
    if (!idx) {
        v.warnings.push_back(st.ns_ifname + " is not in the namespace: the tunnel is gone");
        return;
    }
    for (const auto& a : ns.addresses(*idx))
        v.addresses.push_back(a.text());

    std::vector<WgPeerStatus> peers;
    if (st.kernel) {
        InNetns inside(nsfd.get());
        peers = genl_get(st.ns_ifname);
    } else if (v.daemon_running.value_or(false)) {
        peers = uapi_get(st.host_ifname);
    } else {
        return; // warned already
    }
    for (const auto& p : peers) {
        PeerStatus s;
        s.public_key = p.public_key.base64();
        if (!p.endpoint.empty())
            s.endpoint = p.endpoint;
        if (p.last_handshake_sec != 0)
            s.latest_handshake = p.last_handshake_sec;
        s.rx_bytes = p.rx_bytes;
        s.tx_bytes = p.tx_bytes;
        s.allowed_ips = p.allowed_ips;
        v.peers.push_back(std::move(s));
    }
}

VpnStatus gather(const std::string& name, Systemd& systemd) {
    VpnStatus v;
    v.name = name;
    v.netns_path = netns_file(name);
    auto attempt = [&](auto&& step) {
        try {
            step();
        } catch (const std::exception& e) {
            v.errors.push_back(e.what());
        }
    };

    std::optional<Config> config;
    attempt([&] {
        const auto sp = SearchPath::from_environment();
        auto files = discover(sp, name);
        if (!files)
            return;
        v.config = files->main;
        v.masked = files->masked;
        if (files->masked)
            return;
        Loaded loaded = load(sp, *files);
        v.config_valid = !loaded.diags.has_errors();
        for (const auto& d : loaded.diags.list())
            if (d.severity == Severity::Error && d.problem == Problem::Io)
                v.errors.push_back(d.format());
        config = std::move(loaded.config);
    });

    std::optional<UpState> st;
    attempt([&] { st = load_state(name); });
    v.netns_present = netns_exists(name);
    if (st) {
        v.record = st->complete ? Record::Complete : Record::Incomplete;
        v.up = st->complete && v.netns_present;
        v.implementation = st->kernel ? "kernel" : "userspace";
        if (!st->ns_ifname.empty())
            v.interface = st->ns_ifname;
        if (!st->kernel && !st->host_ifname.empty())
            v.host_interface = st->host_ifname;
        if (!st->kernel && st->pid > 0) {
            v.daemon_pid = static_cast<std::uint32_t>(st->pid);
            unsigned long long start = process_start_time(st->pid);
            v.daemon_running = start != 0 && start == st->pid_start;
            if (st->complete && !*v.daemon_running)
                v.warnings.push_back("the userspace daemon (pid " + std::to_string(st->pid) +
                                     ") has exited: the tunnel is gone");
        }
        if (st->complete && !v.netns_present)
            v.warnings.push_back("the namespace " + v.netns_path + " is gone");
        if (v.up)
            attempt([&] { read_device(v, *st); });
    } else if (config) {
        v.interface = config->interface_name();
    }

    bool exposed_config = config && !config->expose.ports.empty();
    if (exposed_config || (st && !st->veth.empty())) {
        ExposeStatus e;
        if (exposed_config) {
            ExposePlan plan = plan_exposure(*config, *parse_prefix("0.0.0.0/30", false));
            for (const auto& p : plan.ports)
                e.ports.push_back({p.host_port, p.port, protocol_name(p.protocol)});
            for (const auto& a : plan.listen)
                e.listen_addresses.push_back(a.text());
        }
        if (st && !st->veth.empty())
            e.veth = st->veth;
        if (st && !st->link.empty())
            e.link = st->link;
        v.expose = std::move(e);
    }

    v.unit = systemd.unit("wg-" + name + ".service", v.warnings);
    if (config) {
        std::optional<struct stat> netns;
        struct stat sb;
        if (v.netns_present && stat(v.netns_path.c_str(), &sb) == 0)
            netns = sb;
        for (const auto& service : config->ns.services) {
            ServiceStatus s;
            s.unit = systemd.unit(service.value, v.warnings);
            place_service(s, netns, v);
            v.services.push_back(std::move(s));
        }
    }
    return v;
}

} // namespace

std::vector<std::string> status_names() {
    std::set<std::string> names;
    Diagnostics ignored; // files with bad names: validate reports them
    for (const auto& f : discover_all(SearchPath::from_environment(), ignored))
        names.insert(f.name);
    for (auto& n : recorded_names())
        names.insert(std::move(n));
    return {names.begin(), names.end()};
}

bool status_known(const std::string& name) {
    if (discover(SearchPath::from_environment(), name))
        return true;
    struct stat sb;
    return stat(state_file_of(name).c_str(), &sb) == 0 || errno == EACCES;
}

VpnStatus gather_status(const std::string& name) {
    Systemd systemd;
    return gather(name, systemd);
}

int run_status(const std::optional<std::string>& name, bool json) {
    if (name && !status_known(*name)) {
        std::fprintf(stderr, "nsvpn status: no configuration and no state record named %s\n",
                     name->c_str());
        return 2;
    }
    std::vector<std::string> names = name ? std::vector<std::string>{*name} : status_names();
    Systemd systemd;
    std::vector<VpnStatus> vpns;
    for (const auto& n : names)
        vpns.push_back(gather(n, systemd));
    std::int64_t now = std::time(nullptr);
    std::string text = json ? format_status_json(vpns, now) : format_status_table(vpns, now);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0)
        return 1;
    bool failed =
        std::any_of(vpns.begin(), vpns.end(), [](const VpnStatus& v) { return !v.errors.empty(); });
    return failed ? 1 : 0;
}

} // namespace nsvpn
