// The nftables tables of an exposed VPN, as plain data (pure): what nft.cpp
// turns into one libnftnl batch. Two tables:
//   - in the host, `inet nsvpn-NAME`: DNAT of each Port= on each ListenAddress=
//     to the namespace (prerouting for traffic from elsewhere, nat output for the
//     host's own connections), SNAT of loopback sources, and a guard that lets
//     only replies in from the veth;
//   - in the namespace, `inet nsvpn`: a connection mark on connections that come
//     in by the veth to an exposed port, restored on their replies (which the
//     routing rule then sends by the veth), and an egress guard that drops
//     everything else leaving by the veth, IPv4 and IPv6 alike.
#pragma once

#include "../config/values.hpp"

#include <cstdint>
// here, before any file that includes it includes the kernel's <linux/netfilter.h>,
// which would otherwise define struct in_addr and IPPROTO_* again
#include <netinet/in.h>
#include <string>
#include <vector>

namespace nsvpn {

struct ExposePlan;

struct NftMatch {
    enum class Kind {
        IifName,       // name (a trailing '*' matches a prefix)
        OifName,       // name
        IifNameNot,    // name
        OifNameNot,    // name
        Family,        // value: NFPROTO_IPV4 or NFPROTO_IPV6
        L4Proto,       // value: IPPROTO_TCP or IPPROTO_UDP
        Daddr,         // prefix (host prefix for one address), of its family
        Saddr,         // prefix
        DPort,         // value
        CtStateNew,    // -
        CtReply,       // the packet goes in the reply direction of its connection
        CtMark,        // value
        DaddrLocalIif, // the destination is an address of the interface it came in by
    };
    Kind kind;
    std::string name;
    IpPrefix prefix;
    std::uint32_t value = 0;
};

struct NftAction {
    enum class Kind {
        Accept,
        Drop,
        SetCtMark,      // value
        MarkFromCtMark, // the packet's mark := its connection's mark
        Dnat,           // to address:port
        Snat,           // to address
        Counter,
    };
    Kind kind;
    IpAddress address;
    std::uint16_t port = 0;
    std::uint32_t value = 0;
};

struct NftRule {
    std::vector<NftMatch> match;
    std::vector<NftAction> action;
};

struct NftChain {
    std::string name;
    std::string type; // "filter", "nat" or "route"
    int hook = 0;     // NF_INET_*
    int priority = 0;
    std::vector<NftRule> rules;
};

struct NftTable {
    std::string name; // family inet
    std::vector<NftChain> chains;
};

// The mark of connections that came in by the veth to an exposed port (in the
// namespace), and of their replies; the namespace's routing rule sends packets
// with it to reply_table, whose only routes lead out by the veth.
inline constexpr std::uint32_t kReplyMark = 0x6e73;
inline constexpr std::uint32_t kReplyTable = 0x6e73;
inline constexpr std::uint32_t kReplyRulePriority = 100;
// And "to HOST-END-ADDRESS lookup reply_table" just after it: replies to the
// host's own address (the source of UDP and of the host's own connections) leave
// by the veth whatever the service's socket; anything else sent there is dropped
// by the guard.
inline constexpr std::uint32_t kHostRulePriority = 101;

NftTable host_table(const std::string& vpn, const ExposePlan& plan);
NftTable namespace_table(const ExposePlan& plan);

// nft(8)'s syntax for a table (what `nft list table` shows, near enough), so
// that the unit tests can read the tables as people do.
std::string nft_text(const NftTable& table);

} // namespace nsvpn
