#include "netlink.hpp"

#include "error.hpp"
#include "netns.hpp"

#include <cstring>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <sys/socket.h>

namespace nsvpn {

namespace {

// Owners of libnl objects, each released with its own put/free.
struct LinkPut {
    void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrPut {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrPut {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RoutePut {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct CacheFree {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkPut>;
using AddrPtr = std::unique_ptr<rtnl_addr, AddrPut>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrPut>;
using RoutePtr = std::unique_ptr<rtnl_route, RoutePut>;
struct RulePut {
    void operator()(rtnl_rule* r) const { rtnl_rule_put(r); }
};
struct VethRelease {
    void operator()(rtnl_link* l) const { rtnl_link_veth_release(l); }
};
using CachePtr = std::unique_ptr<nl_cache, CacheFree>;
using RulePtr = std::unique_ptr<rtnl_rule, RulePut>;
using VethPtr = std::unique_ptr<rtnl_link, VethRelease>;

[[noreturn]] void fail(const std::string& step, int err) {
    throw StepError(step, nl_geterror(err));
}

LinkPtr new_link() {
    LinkPtr l(rtnl_link_alloc());
    if (!l)
        throw StepError("allocate a netlink link", "out of memory");
    return l;
}

NlAddrPtr to_nl_addr(const IpAddress& a, unsigned prefix) {
    NlAddrPtr n(nl_addr_build(a.family, a.bytes.data(), a.family == AF_INET ? 4 : 16));
    if (!n)
        throw StepError("build a netlink address", "out of memory");
    nl_addr_set_prefixlen(n.get(), static_cast<int>(prefix));
    return n;
}

} // namespace

void Netlink::SockFree::operator()(nl_sock* s) const {
    nl_socket_free(s);
}

Netlink Netlink::here() {
    std::unique_ptr<nl_sock, SockFree> sock(nl_socket_alloc());
    if (!sock)
        throw StepError("open a netlink socket", "out of memory");
    if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0)
        fail("open a netlink socket", err);
    return Netlink(std::move(sock), "");
}

Netlink Netlink::in(int netns_fd) {
    // A socket belongs to the namespace it was made in, whatever thread uses it later.
    InNetns inside(netns_fd);
    Netlink n = here();
    n.where_ = " in the namespace";
    return n;
}

std::optional<int> Netlink::link_index(const std::string& name) {
    rtnl_link* raw = nullptr;
    int err = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
        return std::nullopt;
    if (err < 0)
        fail("look up link " + name + where_, err);
    LinkPtr link(raw);
    return rtnl_link_get_ifindex(link.get());
}

std::vector<std::string> Netlink::link_names() {
    nl_cache* raw = nullptr;
    if (int err = rtnl_link_alloc_cache(sock_.get(), AF_UNSPEC, &raw); err < 0)
        fail("list links" + where_, err);
    CachePtr cache(raw);
    std::vector<std::string> names;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o))
        names.emplace_back(rtnl_link_get_name(reinterpret_cast<rtnl_link*>(o)));
    return names;
}

namespace {

// Applies the changes to the link ifindex (RTM_NEWLINK on the existing link).
void change_link(nl_sock* sock, int ifindex, rtnl_link* changes, const std::string& step) {
    rtnl_link* raw = nullptr;
    if (int err = rtnl_link_get_kernel(sock, ifindex, nullptr, &raw); err < 0)
        fail(step, err);
    LinkPtr orig(raw);
    if (int err = rtnl_link_change(sock, orig.get(), changes, 0); err < 0)
        fail(step, err);
}

} // namespace

void Netlink::set_up(int ifindex) {
    auto changes = new_link();
    rtnl_link_set_flags(changes.get(), IFF_UP);
    change_link(sock_.get(), ifindex, changes.get(),
                "bring up link " + std::to_string(ifindex) + where_);
}

void Netlink::set_mtu(int ifindex, unsigned mtu) {
    auto changes = new_link();
    rtnl_link_set_mtu(changes.get(), mtu);
    change_link(sock_.get(), ifindex, changes.get(), "set MTU " + std::to_string(mtu) + where_);
}

void Netlink::rename(int ifindex, const std::string& name) {
    auto changes = new_link();
    rtnl_link_set_name(changes.get(), name.c_str());
    change_link(sock_.get(), ifindex, changes.get(), "rename link to " + name + where_);
}

void Netlink::move_to(int ifindex, int netns_fd) {
    auto changes = new_link();
    rtnl_link_set_ns_fd(changes.get(), netns_fd);
    change_link(sock_.get(), ifindex, changes.get(), "move link into the namespace");
}

void Netlink::create_wireguard(const std::string& name, int netns_fd) {
    const std::string step = "create WireGuard link " + name + " in the namespace";
    auto link = new_link();
    if (int err = rtnl_link_set_type(link.get(), "wireguard"); err < 0)
        fail(step, err);
    rtnl_link_set_name(link.get(), name.c_str());
    rtnl_link_set_ns_fd(link.get(), netns_fd);
    int err = rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err == -NLE_OPNOTSUPP || err == -NLE_NOATTR)
        throw KernelLacksWireGuard(step, std::string("the kernel has no WireGuard (") +
                                             nl_geterror(err) + ")");
    if (err < 0)
        fail(step, err);
}

void Netlink::remove(int ifindex) {
    auto link = new_link();
    rtnl_link_set_ifindex(link.get(), ifindex);
    int err = rtnl_link_delete(sock_.get(), link.get());
    if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
        fail("delete link " + std::to_string(ifindex) + where_, err);
}

namespace {

// An address object for the link ifindex, as RTM_NEWADDR and RTM_DELADDR take it.
AddrPtr address_of(int ifindex, const IpPrefix& prefix, const std::string& step) {
    AddrPtr addr(rtnl_addr_alloc());
    if (!addr)
        throw StepError(step, "out of memory");
    auto local = to_nl_addr(prefix.address, prefix.length);
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    rtnl_addr_set_family(addr.get(), prefix.address.family);
    if (int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0)
        fail(step, err);
    rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(prefix.length));
    return addr;
}

} // namespace

void Netlink::add_address(int ifindex, const IpPrefix& prefix) {
    const std::string step = "add address " + prefix.text() + where_;
    int err = rtnl_addr_add(sock_.get(), address_of(ifindex, prefix, step).get(), 0);
    if (err < 0 && err != -NLE_EXIST)
        fail(step, err);
}

void Netlink::remove_address(int ifindex, const IpPrefix& prefix) {
    const std::string step = "remove address " + prefix.text() + where_;
    int err = rtnl_addr_delete(sock_.get(), address_of(ifindex, prefix, step).get(), 0);
    if (err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND)
        fail(step, err);
}

std::vector<IpPrefix> Netlink::addresses(int ifindex) {
    nl_cache* raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_.get(), &raw); err < 0)
        fail("list addresses" + where_, err);
    CachePtr cache(raw);
    std::vector<IpPrefix> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_ifindex(a) != ifindex)
            continue;
        nl_addr* local = rtnl_addr_get_local(a);
        IpPrefix p;
        p.address.family = nl_addr_get_family(local);
        auto len = nl_addr_get_len(local);
        if (len > p.address.bytes.size())
            continue;
        std::memcpy(p.address.bytes.data(), nl_addr_get_binary_addr(local), len);
        p.length = static_cast<unsigned>(rtnl_addr_get_prefixlen(a));
        out.push_back(p);
    }
    return out;
}

void Netlink::replace_default_route(int ifindex, int family) {
    const std::string step = std::string("add the default route (") +
                             (family == AF_INET ? "IPv4" : "IPv6") + ")" + where_;
    RoutePtr route(rtnl_route_alloc());
    if (!route)
        throw StepError(step, "out of memory");
    IpAddress any;
    any.family = family;
    auto dst = to_nl_addr(any, 0);
    rtnl_route_set_family(route.get(), static_cast<std::uint8_t>(family));
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
    rtnl_route_set_type(route.get(), RTN_UNICAST);
    rtnl_route_set_scope(route.get(), family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
    if (int err = rtnl_route_set_dst(route.get(), dst.get()); err < 0)
        fail(step, err);
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!nh)
        throw StepError(step, "out of memory");
    rtnl_route_nh_set_ifindex(nh, ifindex);
    rtnl_route_add_nexthop(route.get(), nh); // the route owns nh from here on
    if (int err = rtnl_route_add(sock_.get(), route.get(), NLM_F_REPLACE); err < 0)
        fail(step, err);
}

void Netlink::create_veth(const std::string& name, const std::string& peer_name, int netns_fd) {
    const std::string step =
        "create veth pair " + name + " (host) and " + peer_name + " (namespace)";
    VethPtr veth(rtnl_link_veth_alloc());
    if (!veth)
        throw StepError(step, "out of memory");
    rtnl_link_set_name(veth.get(), name.c_str());
    LinkPtr peer(rtnl_link_veth_get_peer(veth.get()));
    rtnl_link_set_name(peer.get(), peer_name.c_str());
    rtnl_link_set_ns_fd(peer.get(), netns_fd);
    if (int err = rtnl_link_add(sock_.get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
        fail(step, err);
}

void Netlink::add_address_without_route(int ifindex, const IpPrefix& prefix) {
    const std::string step = "add address " + prefix.text() + where_;
    auto addr = address_of(ifindex, prefix, step);
    rtnl_addr_set_flags(addr.get(), IFA_F_NOPREFIXROUTE);
    int err = rtnl_addr_add(sock_.get(), addr.get(), 0);
    if (err < 0 && err != -NLE_EXIST)
        fail(step, err);
}

void Netlink::replace_route(std::uint32_t table, const IpPrefix& dst, const IpAddress* gateway,
                            int ifindex) {
    const std::string step =
        "add route " + dst.text() + " to table " + std::to_string(table) + where_;
    RoutePtr route(rtnl_route_alloc());
    if (!route)
        throw StepError(step, "out of memory");
    auto d = to_nl_addr(dst.address, dst.length);
    rtnl_route_set_family(route.get(), static_cast<std::uint8_t>(dst.address.family));
    rtnl_route_set_table(route.get(), table);
    rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
    rtnl_route_set_type(route.get(), RTN_UNICAST);
    rtnl_route_set_scope(route.get(), gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    if (int err = rtnl_route_set_dst(route.get(), d.get()); err < 0)
        fail(step, err);
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!nh)
        throw StepError(step, "out of memory");
    rtnl_route_nh_set_ifindex(nh, ifindex);
    if (gateway) {
        auto gw = to_nl_addr(*gateway, gateway->family == AF_INET ? 32 : 128);
        rtnl_route_nh_set_gateway(nh, gw.get());
    }
    rtnl_route_add_nexthop(route.get(), nh); // the route owns nh from here on
    if (int err = rtnl_route_add(sock_.get(), route.get(), NLM_F_CREATE | NLM_F_REPLACE); err < 0)
        fail(step, err);
}

namespace {

RulePtr fwmark_rule(int family, std::uint32_t mark, std::uint32_t table, std::uint32_t priority,
                    const std::string& step) {
    RulePtr rule(rtnl_rule_alloc());
    if (!rule)
        throw StepError(step, "out of memory");
    rtnl_rule_set_family(rule.get(), family);
    rtnl_rule_set_mark(rule.get(), mark);
    rtnl_rule_set_mask(rule.get(), 0xffffffffu);
    rtnl_rule_set_table(rule.get(), table);
    rtnl_rule_set_prio(rule.get(), priority);
    rtnl_rule_set_action(rule.get(), FR_ACT_TO_TBL);
    return rule;
}

std::string rule_text(std::uint32_t mark, std::uint32_t table) {
    return "the rule \"fwmark " + std::to_string(mark) + " lookup " + std::to_string(table) + "\"";
}

} // namespace

void Netlink::add_fwmark_rule(int family, std::uint32_t mark, std::uint32_t table,
                              std::uint32_t priority) {
    const std::string step = "add " + rule_text(mark, table) + where_;
    auto rule = fwmark_rule(family, mark, table, priority, step);
    int err = rtnl_rule_add(sock_.get(), rule.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0 && err != -NLE_EXIST)
        fail(step, err);
}

void Netlink::remove_fwmark_rule(int family, std::uint32_t mark, std::uint32_t table,
                                 std::uint32_t priority) {
    const std::string step = "remove " + rule_text(mark, table) + where_;
    auto rule = fwmark_rule(family, mark, table, priority, step);
    int err = rtnl_rule_delete(sock_.get(), rule.get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR)
        fail(step, err);
}

namespace {

RulePtr to_rule(const IpPrefix& dst, std::uint32_t table, std::uint32_t priority,
                const std::string& step) {
    RulePtr rule(rtnl_rule_alloc());
    if (!rule)
        throw StepError(step, "out of memory");
    rtnl_rule_set_family(rule.get(), dst.address.family);
    auto d = to_nl_addr(dst.address, dst.length);
    if (int err = rtnl_rule_set_dst(rule.get(), d.get()); err < 0)
        fail(step, err);
    rtnl_rule_set_table(rule.get(), table);
    rtnl_rule_set_prio(rule.get(), priority);
    rtnl_rule_set_action(rule.get(), FR_ACT_TO_TBL);
    return rule;
}

} // namespace

void Netlink::add_to_rule(const IpPrefix& dst, std::uint32_t table, std::uint32_t priority) {
    const std::string step =
        "add the rule \"to " + dst.text() + " lookup " + std::to_string(table) + "\"" + where_;
    int err = rtnl_rule_add(sock_.get(), to_rule(dst, table, priority, step).get(),
                            NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0 && err != -NLE_EXIST)
        fail(step, err);
}

void Netlink::remove_to_rule(const IpPrefix& dst, std::uint32_t table, std::uint32_t priority) {
    const std::string step =
        "remove the rule \"to " + dst.text() + " lookup " + std::to_string(table) + "\"" + where_;
    int err = rtnl_rule_delete(sock_.get(), to_rule(dst, table, priority, step).get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR)
        fail(step, err);
}

std::vector<IpPrefix> Netlink::networks_in_use(int family) {
    std::vector<IpPrefix> out;
    auto add = [&](nl_addr* a) {
        if (!a || nl_addr_get_family(a) != family)
            return;
        IpPrefix p;
        p.address.family = family;
        auto len = nl_addr_get_len(a);
        if (len == 0 || len > p.address.bytes.size())
            return;
        std::memcpy(p.address.bytes.data(), nl_addr_get_binary_addr(a), len);
        p.length = nl_addr_get_prefixlen(a);
        if (p.length > 0)
            out.push_back(p);
    };
    nl_cache* raw = nullptr;
    if (int err = rtnl_route_alloc_cache(sock_.get(), family, 0, &raw); err < 0)
        fail("list routes" + where_, err);
    CachePtr routes(raw);
    for (nl_object* o = nl_cache_get_first(routes.get()); o; o = nl_cache_get_next(o))
        add(rtnl_route_get_dst(reinterpret_cast<rtnl_route*>(o)));
    raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_.get(), &raw); err < 0)
        fail("list addresses" + where_, err);
    CachePtr addrs(raw);
    for (nl_object* o = nl_cache_get_first(addrs.get()); o; o = nl_cache_get_next(o))
        add(rtnl_addr_get_local(reinterpret_cast<rtnl_addr*>(o)));
    return out;
}

} // namespace nsvpn
