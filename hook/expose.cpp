#include "expose.hpp"

#include "error.hpp"
#include "expose_plan.hpp"
#include "fd.hpp"
#include "firewall.hpp"
#include "log.hpp"
#include "netns.hpp"
#include "nft.hpp"
#include "sysctl.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nsvpn {

namespace {

// /run/nsvpn/.expose.lock: one VPN at a time chooses a subnet (until its address
// is on the host, where the next one sees it) or changes a host interface's forwarding.
class ExposeLock {
  public:
    ExposeLock() {
        if (mkdir("/run/nsvpn", 0755) < 0 && errno != EEXIST)
            throw system_error("create /run/nsvpn");
        fd_ = Fd(open("/run/nsvpn/.expose.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (!fd_)
            throw system_error("lock /run/nsvpn/.expose.lock");
        while (flock(fd_.get(), LOCK_EX) < 0)
            if (errno != EINTR)
                throw system_error("lock /run/nsvpn/.expose.lock");
    }

  private:
    Fd fd_;
};

constexpr unsigned kVethMtu = 65535;

const std::string kForwardingMarks = "/run/nsvpn/.forwarding";

std::string forwarding_sysctl(const std::string& ifname) {
    return "net/ipv4/conf/" + ifname + "/forwarding";
}

// The host interface that has the address, if any.
std::optional<std::string> interface_with(Netlink& host, const IpAddress& a) {
    for (const auto& name : host.link_names())
        if (auto idx = host.link_index(name))
            for (const auto& p : host.addresses(*idx))
                if (p.address == a)
                    return name;
    return std::nullopt;
}

// Whether another VPN that is up relies on nsvpn's forwarding on ifname.
bool others_rely_on(const std::string& self, const std::string& ifname) {
    DIR* d = opendir("/run/nsvpn");
    if (!d)
        return false;
    bool found = false;
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == self || name.empty() || name[0] == '.' || !valid_config_name(name))
            continue;
        if (auto st = read_state(name))
            if (std::find(st->forwarding.begin(), st->forwarding.end(), ifname) !=
                st->forwarding.end())
                found = true;
    }
    closedir(d);
    return found;
}

// Lets connections from elsewhere to the non-loopback listen addresses reach
// the veth: forwarding on the interface each address is on. An interface that
// forwards already by the administrator's choice is left as it is; one that
// nsvpn switched on is fenced by the host table (only towards nsvpn's veths).
void enable_forwarding(UpState& st, ExposePlan& plan, Netlink& host) {
    for (const auto& l : plan.listen) {
        if (is_loopback(l) || l.family != AF_INET)
            continue;
        auto ifname = interface_with(host, l);
        if (!ifname) {
            log_warning(st.name, "ListenAddress " + l.text() +
                                     " is not an address of this host now: only the host's own "
                                     "connections to it reach the exposed ports until the next up");
            continue;
        }
        if (std::find(plan.fenced.begin(), plan.fenced.end(), *ifname) != plan.fenced.end())
            continue;
        std::string mark = kForwardingMarks + "/" + *ifname;
        bool ours = access(mark.c_str(), F_OK) == 0;
        if (!ours && read_sysctl(forwarding_sysctl(*ifname)) != "0")
            continue; // the administrator's forwarding
        if (std::find(st.forwarding.begin(), st.forwarding.end(), *ifname) == st.forwarding.end()) {
            st.forwarding.push_back(*ifname);
            write_state(st);
        }
        if (!ours) {
            if (mkdir(kForwardingMarks.c_str(), 0755) < 0 && errno != EEXIST)
                throw system_error("create " + kForwardingMarks);
            Fd f(open(mark.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
            if (!f)
                throw system_error("create " + mark);
            write_sysctl(forwarding_sysctl(*ifname), "1");
            log_info(st.name,
                     "forwarding switched on for " + *ifname + " (to the exposed ports only)");
        }
        plan.fenced.push_back(*ifname);
    }
}

void release_forwarding(const UpState& st, std::vector<std::string>& errors) {
    for (const auto& ifname : st.forwarding) {
        if (others_rely_on(st.name, ifname))
            continue;
        std::string mark = kForwardingMarks + "/" + ifname;
        if (access(mark.c_str(), F_OK) != 0)
            continue;
        try {
            write_sysctl(forwarding_sysctl(ifname), "0");
        } catch (const StepError& e) {
            if (access(("/proc/sys/net/ipv4/conf/" + ifname).c_str(), F_OK) == 0)
                errors.push_back(e.what());
        }
        unlink(mark.c_str());
    }
}

std::optional<IpPrefix> parse_link(const std::string& text) {
    auto p = parse_prefix(text, false);
    if (!p)
        return std::nullopt;
    return *p;
}

} // namespace

void apply_exposure(UpState& st, const Config& c, Netlink& host, Netlink& ns, int nsfd) {
    if (c.expose.ports.empty()) {
        if (!st.veth.empty() || st.host_table || st.ns_table) {
            for (const auto& e : remove_exposure(st, nsfd))
                log_warning(st.name, e);
            st.veth.clear();
            st.link.clear();
            st.host_table = st.ns_table = false;
            st.forwarding.clear();
            write_state(st);
        }
        return;
    }
    ExposeLock lock;
    const std::string veth = host_veth_name(c.name);
    std::optional<IpPrefix> link;
    if (st.veth == veth && host.link_index(veth))
        link = parse_link(st.link);
    if (link && c.expose.link_subnet && !(c.expose.link_subnet->value == *link))
        link.reset(); // LinkSubnet= changed: a new pair
    if (!link) {
        if (auto old = parse_link(st.link)) // a pair of another subnet: its rule goes too
            ns.remove_to_rule(IpPrefix{host_end_address(*old), 32}, kReplyTable, kHostRulePriority);
        if (auto stale = host.link_index(veth)) {
            if (st.veth != veth) // else it is ours, of the LinkSubnet= before
                log_warning(c.name,
                            "removing " + veth + ", left by an earlier run without a record");
            host.remove(*stale);
        }
        if (c.expose.link_subnet) {
            link = c.expose.link_subnet->value;
        } else {
            link = choose_link_subnet(c.name, host.networks_in_use(AF_INET));
            if (!link)
                throw StepError("choose a subnet for the veth pair",
                                "every candidate overlaps a route of the host; set LinkSubnet=");
        }
        st.veth = veth;
        st.link = link->text();
        write_state(st);
    }
    ExposePlan plan = plan_exposure(c, *link);
    st.link = plan.link.text();

    // The guards first, so that the veth is never up without them.
    st.ns_table = true;
    write_state(st);
    {
        InNetns inside(nsfd);
        nft_replace(namespace_table(plan));
    }
    enable_forwarding(st, plan, host);
    st.host_table = true;
    write_state(st);
    nft_replace(host_table(c.name, plan));

    if (!host.link_index(veth))
        host.create_veth(veth, plan.ns_veth, nsfd);
    auto hidx = host.link_index(veth);
    auto nidx = ns.link_index(plan.ns_veth);
    if (!hidx || !nidx)
        throw StepError("create veth pair " + veth, "it is not there afterwards");
    // the host's own connections from 127.0.0.1 may leave by it, and replies be forwarded
    write_sysctl("net/ipv4/conf/" + veth + "/route_localnet", "1");
    write_sysctl("net/ipv4/conf/" + veth + "/forwarding", "1");
    // a link inside the machine, as loopback is: the largest MTU a veth takes
    // (TCP with other machines still uses their MSS)
    host.set_mtu(*hidx, kVethMtu);
    ns.set_mtu(*nidx, kVethMtu);
    host.add_address(*hidx, IpPrefix{plan.host_address, plan.link.length});
    host.set_up(*hidx);

    ns.add_address_without_route(*nidx, IpPrefix{plan.ns_address, plan.link.length});
    ns.set_up(*nidx);
    ns.replace_route(kReplyTable, plan.link, nullptr, *nidx);
    ns.replace_route(kReplyTable, IpPrefix{IpAddress{AF_INET, {}}, 0}, &plan.host_address, *nidx);
    ns.add_fwmark_rule(AF_INET, kReplyMark, kReplyTable, kReplyRulePriority);
    ns.add_to_rule(IpPrefix{plan.host_address, 32}, kReplyTable, kHostRulePriority);
    {
        InNetns inside(nsfd);
        // the answer to a SYN is routed by the SYN's mark; the reply's source is
        // not the tunnel's, so reverse-path filtering would drop the connection
        write_sysctl("net/ipv4/tcp_fwmark_accept", "1");
        write_sysctl("net/ipv4/conf/all/rp_filter", "0");
        write_sysctl("net/ipv4/conf/" + plan.ns_veth + "/rp_filter", "0");
    }
}

std::vector<std::string> remove_exposure(const UpState& st, int nsfd) {
    std::vector<std::string> errors;
    auto attempt = [&](auto&& step) { try_step(errors, step); };
    if (st.veth.empty() && !st.host_table && !st.ns_table && st.forwarding.empty())
        return errors;
    attempt([&] {
        ExposeLock lock;
        if (st.host_table)
            nft_delete("nsvpn-" + st.name);
        if (!st.veth.empty()) {
            Netlink host = Netlink::here();
            if (auto idx = host.link_index(st.veth))
                host.remove(*idx); // its peer in the namespace, and the routes by it, go too
        }
        release_forwarding(st, errors);
    });
    if (st.ns_table && nsfd >= 0)
        attempt([&] {
            Netlink ns = Netlink::in(nsfd);
            if (auto idx = ns.link_index(kNamespaceVeth))
                ns.remove(*idx);
            ns.remove_fwmark_rule(AF_INET, kReplyMark, kReplyTable, kReplyRulePriority);
            if (auto link = parse_link(st.link))
                ns.remove_to_rule(IpPrefix{host_end_address(*link), 32}, kReplyTable,
                                  kHostRulePriority);
            InNetns inside(nsfd);
            nft_delete("nsvpn");
            write_sysctl("net/ipv4/tcp_fwmark_accept", "0");
        });
    return errors;
}

} // namespace nsvpn
