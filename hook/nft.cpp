#include "nft.hpp"

#include "error.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <map>
#include <memory>
#include <net/if.h>
#include <sys/socket.h>
#include <vector>

namespace nsvpn {

namespace {

// Owners of the libnftnl and libmnl objects.
struct TableFree {
    void operator()(nftnl_table* t) const { nftnl_table_free(t); }
};
struct ChainFree {
    void operator()(nftnl_chain* c) const { nftnl_chain_free(c); }
};
struct RuleFree {
    void operator()(nftnl_rule* r) const { nftnl_rule_free(r); }
};
struct ExprFree {
    void operator()(nftnl_expr* e) const { nftnl_expr_free(e); }
};
struct MnlClose {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
struct BatchStop {
    void operator()(mnl_nlmsg_batch* b) const { mnl_nlmsg_batch_stop(b); }
};
using TablePtr = std::unique_ptr<nftnl_table, TableFree>;
using ChainPtr = std::unique_ptr<nftnl_chain, ChainFree>;
using RulePtr = std::unique_ptr<nftnl_rule, RuleFree>;
using ExprPtr = std::unique_ptr<nftnl_expr, ExprFree>;
using MnlPtr = std::unique_ptr<mnl_socket, MnlClose>;
using BatchPtr = std::unique_ptr<mnl_nlmsg_batch, BatchStop>;

template <typename T> T checked(T p) {
    if (!p)
        throw StepError("build an nftables message", "out of memory");
    return p;
}

// The expressions of one rule, in order; the rule takes each one over.
class RuleBuilder {
  public:
    explicit RuleBuilder(nftnl_rule* r) : rule_(r) {}

    ExprPtr expr(const char* name) { return ExprPtr(checked(nftnl_expr_alloc(name))); }
    void add(ExprPtr e) { nftnl_rule_add_expr(rule_, e.release()); }

    void load_meta(std::uint32_t key) {
        auto e = expr("meta");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_DREG, NFT_REG_1);
        add(std::move(e));
    }
    void load_ct(std::uint32_t key) {
        auto e = expr("ct");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CT_KEY, key);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CT_DREG, NFT_REG_1);
        add(std::move(e));
    }
    void load_payload(std::uint32_t base, std::uint32_t offset, std::uint32_t len) {
        auto e = expr("payload");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        add(std::move(e));
    }
    void mask(const void* bits, std::uint32_t len) {
        std::uint8_t zero[16] = {};
        auto e = expr("bitwise");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_BITWISE_LEN, len);
        nftnl_expr_set(e.get(), NFTNL_EXPR_BITWISE_MASK, bits, len);
        nftnl_expr_set(e.get(), NFTNL_EXPR_BITWISE_XOR, zero, len);
        add(std::move(e));
    }
    void compare(std::uint32_t op, const void* data, std::uint32_t len) {
        auto e = expr("cmp");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e.get(), NFTNL_EXPR_CMP_DATA, data, len);
        add(std::move(e));
    }
    void immediate(std::uint32_t reg, const void* data, std::uint32_t len) {
        auto e = expr("immediate");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_IMM_DREG, reg);
        nftnl_expr_set(e.get(), NFTNL_EXPR_IMM_DATA, data, len);
        add(std::move(e));
    }
    void verdict(std::uint32_t v) {
        auto e = expr("immediate");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_IMM_VERDICT, v);
        add(std::move(e));
    }

    // iifname/oifname: the name with its NUL, or without it for a "prefix*".
    void ifname(std::uint32_t key, std::string name, std::uint32_t op) {
        load_meta(key);
        char buf[IFNAMSIZ] = {};
        bool prefix = !name.empty() && name.back() == '*';
        if (prefix)
            name.pop_back();
        std::strncpy(buf, name.c_str(), IFNAMSIZ - 1);
        compare(op, buf, static_cast<std::uint32_t>(name.size() + (prefix ? 0 : 1)));
    }

    void match(const NftMatch& m) {
        using K = NftMatch::Kind;
        switch (m.kind) {
        case K::IifName:
            return ifname(NFT_META_IIFNAME, m.name, NFT_CMP_EQ);
        case K::OifName:
            return ifname(NFT_META_OIFNAME, m.name, NFT_CMP_EQ);
        case K::IifNameNot:
            return ifname(NFT_META_IIFNAME, m.name, NFT_CMP_NEQ);
        case K::OifNameNot:
            return ifname(NFT_META_OIFNAME, m.name, NFT_CMP_NEQ);
        case K::Family: {
            load_meta(NFT_META_NFPROTO);
            auto v = static_cast<std::uint8_t>(m.value);
            return compare(NFT_CMP_EQ, &v, 1);
        }
        case K::L4Proto: {
            load_meta(NFT_META_L4PROTO);
            auto v = static_cast<std::uint8_t>(m.value);
            return compare(NFT_CMP_EQ, &v, 1);
        }
        case K::Daddr:
        case K::Saddr: {
            bool v4 = m.prefix.address.family == AF_INET;
            std::uint32_t len = v4 ? 4 : 16;
            std::uint32_t off = v4 ? (m.kind == K::Daddr ? 16 : 12) : (m.kind == K::Daddr ? 24 : 8);
            load_payload(NFT_PAYLOAD_NETWORK_HEADER, off, len);
            std::uint8_t bits[16] = {}, addr[16] = {};
            for (unsigned i = 0; i < m.prefix.length && i < len * 8; ++i)
                bits[i / 8] |= static_cast<std::uint8_t>(0x80u >> (i % 8));
            for (unsigned i = 0; i < len; ++i)
                addr[i] = m.prefix.address.bytes[i] & bits[i];
            if (m.prefix.length < len * 8)
                mask(bits, len);
            return compare(NFT_CMP_EQ, addr, len);
        }
        case K::DPort: {
            load_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
            std::uint16_t port = htons(static_cast<std::uint16_t>(m.value));
            return compare(NFT_CMP_EQ, &port, 2);
        }
        case K::CtStateNew: {
            load_ct(NFT_CT_STATE);
            std::uint32_t bit = NF_CT_STATE_BIT(IP_CT_NEW), zero = 0;
            mask(&bit, 4);
            return compare(NFT_CMP_NEQ, &zero, 4);
        }
        case K::CtReply: {
            load_ct(NFT_CT_DIRECTION);
            std::uint8_t dir = IP_CT_DIR_REPLY;
            return compare(NFT_CMP_EQ, &dir, 1);
        }
        case K::CtMark: {
            load_ct(NFT_CT_MARK);
            return compare(NFT_CMP_EQ, &m.value, 4);
        }
        case K::DaddrLocalIif: {
            auto e = expr("fib");
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF);
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_FIB_DREG, NFT_REG_1);
            add(std::move(e));
            std::uint32_t local = RTN_LOCAL;
            return compare(NFT_CMP_EQ, &local, 4);
        }
        }
    }

    void nat(std::uint32_t type, const IpAddress& a, std::uint16_t port) {
        immediate(NFT_REG_1, a.bytes.data(), a.family == AF_INET ? 4 : 16);
        auto e = expr("nat");
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_NAT_TYPE, type);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_NAT_FAMILY,
                           a.family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6);
        nftnl_expr_set_u32(e.get(), NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
        if (port) {
            std::uint16_t p = htons(port);
            immediate(NFT_REG_2, &p, 2);
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
        }
        add(std::move(e));
    }

    void action(const NftAction& a) {
        using K = NftAction::Kind;
        switch (a.kind) {
        case K::Accept:
            return verdict(NF_ACCEPT);
        case K::Drop:
            return verdict(NF_DROP);
        case K::SetCtMark: {
            immediate(NFT_REG_1, &a.value, 4);
            auto e = expr("ct");
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CT_SREG, NFT_REG_1);
            return add(std::move(e));
        }
        case K::MarkFromCtMark: {
            load_ct(NFT_CT_MARK);
            auto e = expr("meta");
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_KEY, NFT_META_MARK);
            nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_SREG, NFT_REG_1);
            return add(std::move(e));
        }
        case K::Dnat:
            return nat(NFT_NAT_DNAT, a.address, a.port);
        case K::Snat:
            return nat(NFT_NAT_SNAT, a.address, 0);
        case K::Counter:
            return add(expr("counter"));
        }
    }

  private:
    nftnl_rule* rule_;
};

// One batch of nftables messages, each asking for an acknowledgement, and what
// each one does, to name the one the kernel refuses.
class Batch {
  public:
    Batch() : buf_(1 << 20), batch_(checked(mnl_nlmsg_batch_start(buf_.data(), buf_.size()))) {
        nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch_.get())), seq_++);
        next("begin the batch");
    }

    TablePtr table(const std::string& name) {
        TablePtr t(checked(nftnl_table_alloc()));
        nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, name.c_str());
        nftnl_table_set_u32(t.get(), NFTNL_TABLE_FAMILY, NFPROTO_INET);
        return t;
    }
    void add_table(const std::string& name) {
        auto t = table(name);
        auto* nlh = header(NFT_MSG_NEWTABLE, NLM_F_CREATE);
        nftnl_table_nlmsg_build_payload(nlh, t.get());
        next("add table inet " + name);
    }
    void delete_table(const std::string& name) {
        auto t = table(name);
        auto* nlh = header(NFT_MSG_DELTABLE, 0);
        nftnl_table_nlmsg_build_payload(nlh, t.get());
        next("delete table inet " + name);
    }
    void add_chain(const std::string& table, const NftChain& c) {
        ChainPtr ch(checked(nftnl_chain_alloc()));
        nftnl_chain_set_str(ch.get(), NFTNL_CHAIN_TABLE, table.c_str());
        nftnl_chain_set_str(ch.get(), NFTNL_CHAIN_NAME, c.name.c_str());
        nftnl_chain_set_u32(ch.get(), NFTNL_CHAIN_FAMILY, NFPROTO_INET);
        nftnl_chain_set_str(ch.get(), NFTNL_CHAIN_TYPE, c.type.c_str());
        nftnl_chain_set_u32(ch.get(), NFTNL_CHAIN_HOOKNUM, static_cast<std::uint32_t>(c.hook));
        nftnl_chain_set_s32(ch.get(), NFTNL_CHAIN_PRIO, c.priority);
        nftnl_chain_set_u32(ch.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
        auto* nlh = header(NFT_MSG_NEWCHAIN, NLM_F_CREATE);
        nftnl_chain_nlmsg_build_payload(nlh, ch.get());
        next("add chain " + c.name + " to table inet " + table);
        for (std::size_t n = 0; n < c.rules.size(); ++n) {
            RulePtr r(checked(nftnl_rule_alloc()));
            nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, table.c_str());
            nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, c.name.c_str());
            nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_INET);
            RuleBuilder b(r.get());
            for (const auto& m : c.rules[n].match)
                b.match(m);
            for (const auto& a : c.rules[n].action)
                b.action(a);
            auto* rh = header(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
            nftnl_rule_nlmsg_build_payload(rh, r.get());
            next("add rule " + std::to_string(n + 1) + " of chain " + c.name + " of table inet " +
                 table);
        }
    }

    // Sends the batch and reads every acknowledgement; throws for the first error.
    void commit() {
        nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch_.get())), seq_++);
        if (!mnl_nlmsg_batch_next(batch_.get()))
            throw StepError("apply nftables rules", "the batch is too large");
        MnlPtr nl(mnl_socket_open(NETLINK_NETFILTER));
        if (!nl)
            throw system_error("open a netfilter netlink socket");
        if (mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0)
            throw system_error("bind a netfilter netlink socket");
        if (mnl_socket_sendto(nl.get(), mnl_nlmsg_batch_head(batch_.get()),
                              mnl_nlmsg_batch_size(batch_.get())) < 0)
            throw system_error("send nftables rules");
        std::size_t acked = 0;
        std::vector<char> in(MNL_SOCKET_BUFFER_SIZE);
        std::string first_error;
        while (acked < steps_.size()) {
            ssize_t n = mnl_socket_recvfrom(nl.get(), in.data(), in.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw system_error("read the kernel's answer to nftables rules");
            }
            int len = static_cast<int>(n);
            for (auto* h = reinterpret_cast<nlmsghdr*>(in.data()); mnl_nlmsg_ok(h, len);
                 h = mnl_nlmsg_next(h, &len)) {
                if (h->nlmsg_type != NLMSG_ERROR)
                    continue;
                ++acked;
                auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(h));
                if (err->error != 0 && first_error.empty()) {
                    auto at = steps_.find(h->nlmsg_seq);
                    first_error =
                        (at != steps_.end() ? at->second : std::string("apply nftables")) + "\n" +
                        std::strerror(-err->error);
                }
            }
        }
        if (!first_error.empty()) {
            auto nl_at = first_error.find('\n');
            throw StepError(first_error.substr(0, nl_at), first_error.substr(nl_at + 1));
        }
    }

  private:
    nlmsghdr* header(int type, std::uint16_t flags) {
        steps_pending_ = seq_;
        return nftnl_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch_.get())),
                                     static_cast<std::uint16_t>(type), NFPROTO_INET,
                                     static_cast<std::uint16_t>(flags | NLM_F_ACK), seq_++);
    }
    void next(const std::string& what) {
        if (what != "begin the batch")
            steps_.emplace(steps_pending_, what);
        if (!mnl_nlmsg_batch_next(batch_.get()))
            throw StepError("apply nftables rules", "the batch is too large");
    }

    std::vector<char> buf_;
    BatchPtr batch_;
    std::uint32_t seq_ = 1;
    std::uint32_t steps_pending_ = 0;
    std::map<std::uint32_t, std::string> steps_;
};

} // namespace

void nft_replace(const NftTable& table) {
    Batch b;
    b.add_table(table.name);
    b.delete_table(table.name);
    b.add_table(table.name);
    for (const auto& c : table.chains)
        b.add_chain(table.name, c);
    b.commit();
}

void nft_delete(const std::string& table) {
    Batch b;
    b.add_table(table);
    b.delete_table(table);
    b.commit();
}

} // namespace nsvpn
