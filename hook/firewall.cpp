#include "firewall.hpp"

#include "expose_plan.hpp"

#include <linux/netfilter.h>
#include <sstream>
#include <sys/socket.h>

namespace nsvpn {

namespace {

using M = NftMatch::Kind;
using A = NftAction::Kind;

NftMatch match(M kind, std::uint32_t value = 0) {
    return NftMatch{kind, {}, {}, value};
}
NftMatch match_name(M kind, std::string name) {
    return NftMatch{kind, std::move(name), {}, 0};
}
NftMatch match_prefix(M kind, const IpPrefix& p) {
    return NftMatch{kind, {}, p, 0};
}
NftMatch match_address(M kind, const IpAddress& a) {
    return match_prefix(kind, IpPrefix{a, a.family == AF_INET ? 32u : 128u});
}
NftAction act(A kind, std::uint32_t value = 0) {
    return NftAction{kind, {}, 0, value};
}

std::uint32_t family_of(const IpAddress& a) {
    return a.family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
}
std::uint32_t l4(Protocol p) {
    return p == Protocol::Tcp ? IPPROTO_TCP : IPPROTO_UDP;
}

// DNAT of each port on each of listen to the namespace's end of the veth.
std::vector<NftRule> dnat_rules(const ExposePlan& plan, bool from_elsewhere) {
    std::vector<NftRule> rules;
    for (const auto& l : plan.listen) {
        if (from_elsewhere && is_loopback(l))
            continue; // loopback addresses are only ever the host's own connections
        for (const auto& p : plan.ports) {
            NftRule r;
            r.match = {match(M::Family, family_of(l)), match_address(M::Daddr, l)};
            if (from_elsewhere)
                r.match.push_back(match(M::DaddrLocalIif)); // and came in where it lives
            r.match.push_back(match(M::L4Proto, l4(p.protocol)));
            r.match.push_back(match(M::DPort, p.host_port));
            NftAction dnat = act(A::Dnat);
            dnat.address = plan.ns_address;
            dnat.port = p.port;
            r.action = {dnat};
            rules.push_back(std::move(r));
        }
    }
    return rules;
}

// Only replies to connections made towards the namespace come in by the veth.
std::vector<NftRule> replies_only_from(const std::string& veth) {
    return {NftRule{{match_name(M::IifName, veth), match(M::CtReply)}, {act(A::Accept)}},
            NftRule{{match_name(M::IifName, veth)}, {act(A::Drop)}}};
}

} // namespace

NftTable host_table(const std::string& vpn, const ExposePlan& plan) {
    NftTable t;
    t.name = "nsvpn-" + vpn;

    t.chains.push_back({"prerouting", "nat", NF_INET_PRE_ROUTING, -100, dnat_rules(plan, true)});
    t.chains.push_back({"output", "nat", NF_INET_LOCAL_OUT, -100, dnat_rules(plan, false)});

    // The host's own connections from 127.0.0.1 leave by the veth (route_localnet
    // on it lets them) and get the host end's address as their source. So does
    // UDP from anywhere: a UDP service inside answers from the address its route
    // picks, which only for the host end's address is the veth's.
    IpPrefix loopback{IpAddress{AF_INET, {127}}, 8};
    std::vector<NftRule> snat;
    snat.push_back({{match(M::Family, NFPROTO_IPV4), match_name(M::OifName, plan.host_veth),
                     match_prefix(M::Saddr, loopback)},
                    {NftAction{A::Snat, plan.host_address, 0, 0}}});
    snat.push_back({{match(M::Family, NFPROTO_IPV4), match_name(M::OifName, plan.host_veth),
                     match(M::L4Proto, IPPROTO_UDP)},
                    {NftAction{A::Snat, plan.host_address, 0, 0}}});
    t.chains.push_back({"postrouting", "nat", NF_INET_POST_ROUTING, 100, std::move(snat)});

    t.chains.push_back({"input", "filter", NF_INET_LOCAL_IN, 0, replies_only_from(plan.host_veth)});
    auto forward = replies_only_from(plan.host_veth);
    for (const auto& ifname : plan.fenced)
        forward.push_back(NftRule{
            {match_name(M::IifName, ifname), match_name(M::OifNameNot, "nsx*")}, {act(A::Drop)}});
    t.chains.push_back({"forward", "filter", NF_INET_FORWARD, 0, std::move(forward)});
    return t;
}

NftTable namespace_table(const ExposePlan& plan) {
    NftTable t;
    t.name = "nsvpn";
    const std::string& veth = plan.ns_veth;

    // New connections to an exposed port are marked; packets of marked
    // connections carry the mark (so that the answer to a SYN is routed by it);
    // nothing else comes in by the veth.
    NftChain pre{"prerouting", "filter", NF_INET_PRE_ROUTING, -150, {}};
    for (const auto& p : plan.ports)
        pre.rules.push_back(NftRule{{match_name(M::IifName, veth), match(M::CtStateNew),
                                     match(M::L4Proto, l4(p.protocol)), match(M::DPort, p.port)},
                                    {act(A::SetCtMark, kReplyMark)}});
    // The exposed ports are the host's: they do not answer through the tunnel.
    for (const auto& p : plan.ports)
        pre.rules.push_back(NftRule{{match_name(M::IifName, plan.tunnel), match(M::CtStateNew),
                                     match(M::L4Proto, l4(p.protocol)), match(M::DPort, p.port)},
                                    {act(A::Drop)}});
    pre.rules.push_back(NftRule{{match_name(M::IifName, veth), match(M::CtMark, kReplyMark)},
                                {act(A::MarkFromCtMark), act(A::Accept)}});
    pre.rules.push_back(NftRule{{match_name(M::IifName, veth)}, {act(A::Drop)}});
    t.chains.push_back(std::move(pre));

    // Replies of marked connections get the mark, and the routing rule sends them by the veth.
    t.chains.push_back(
        {"output",
         "route",
         NF_INET_LOCAL_OUT,
         -150,
         {NftRule{{match(M::CtMark, kReplyMark), match(M::CtReply)}, {act(A::MarkFromCtMark)}}}});

    // The egress guard: by the veth leave replies of marked connections, and nothing else.
    t.chains.push_back(
        {"guard",
         "filter",
         NF_INET_POST_ROUTING,
         0,
         {NftRule{{match_name(M::OifName, veth), match(M::CtMark, kReplyMark), match(M::CtReply)},
                  {act(A::Accept)}},
          NftRule{{match_name(M::OifName, veth)}, {act(A::Drop)}}}});
    return t;
}

std::string nft_text(const NftTable& t) {
    static const char* hooks[] = {"prerouting", "input", "forward", "output", "postrouting"};
    std::ostringstream o;
    o << "table inet " << t.name << " {\n";
    for (const auto& c : t.chains) {
        o << "\tchain " << c.name << " {\n\t\ttype " << c.type << " hook "
          << (c.hook >= 0 && c.hook < 5 ? hooks[c.hook] : "?") << " priority " << c.priority
          << "; policy accept;\n";
        for (const auto& r : c.rules) {
            o << "\t\t";
            const char* sep = "";
            for (const auto& m : r.match) {
                o << sep;
                sep = " ";
                switch (m.kind) {
                case M::IifName:
                    o << "iifname \"" << m.name << "\"";
                    break;
                case M::OifName:
                    o << "oifname \"" << m.name << "\"";
                    break;
                case M::IifNameNot:
                    o << "iifname != \"" << m.name << "\"";
                    break;
                case M::OifNameNot:
                    o << "oifname != \"" << m.name << "\"";
                    break;
                case M::Family:
                    o << "meta nfproto " << (m.value == NFPROTO_IPV4 ? "ipv4" : "ipv6");
                    break;
                case M::L4Proto:
                    o << "meta l4proto " << (m.value == IPPROTO_TCP ? "tcp" : "udp");
                    break;
                case M::Daddr:
                case M::Saddr:
                    o << (m.prefix.address.family == AF_INET ? "ip " : "ip6 ")
                      << (m.kind == M::Daddr ? "daddr " : "saddr ") << m.prefix.text();
                    break;
                case M::DPort:
                    o << "th dport " << m.value;
                    break;
                case M::CtStateNew:
                    o << "ct state new";
                    break;
                case M::CtReply:
                    o << "ct direction reply";
                    break;
                case M::CtMark:
                    o << "ct mark 0x" << std::hex << m.value << std::dec;
                    break;
                case M::DaddrLocalIif:
                    o << "fib daddr . iif type local";
                    break;
                }
            }
            for (const auto& a : r.action) {
                o << sep;
                sep = " ";
                switch (a.kind) {
                case A::Accept:
                    o << "accept";
                    break;
                case A::Drop:
                    o << "drop";
                    break;
                case A::SetCtMark:
                    o << "ct mark set 0x" << std::hex << a.value << std::dec;
                    break;
                case A::MarkFromCtMark:
                    o << "meta mark set ct mark";
                    break;
                case A::Dnat:
                    o << "dnat ip to " << a.address.text() << ":" << a.port;
                    break;
                case A::Snat:
                    o << "snat ip to " << a.address.text();
                    break;
                case A::Counter:
                    o << "counter";
                    break;
                }
            }
            o << "\n";
        }
        o << "\t}\n";
    }
    o << "}\n";
    return o.str();
}

} // namespace nsvpn
