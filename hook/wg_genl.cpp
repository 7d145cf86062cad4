#include "wg_genl.hpp"

#include "error.hpp"

#include <algorithm>
#include <cstring>
#include <linux/wireguard.h>
#include <memory>
#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

namespace nsvpn {

namespace {

struct SockFree {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
};
using SockPtr = std::unique_ptr<nl_sock, SockFree>;

// A message that may hold keys: wiped before it is freed.
struct MsgFree {
    void operator()(nl_msg* m) const {
        nlmsghdr* h = nlmsg_hdr(m);
        explicit_bzero(h, h->nlmsg_len);
        nlmsg_free(m);
    }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;

[[noreturn]] void fail(const std::string& step, int err) {
    throw StepError(step, nl_geterror(err));
}

// A generic netlink socket in the current namespace and the family's id.
std::pair<SockPtr, int> connect_family(const std::string& step) {
    SockPtr sock(nl_socket_alloc());
    if (!sock)
        throw StepError(step, "out of memory");
    if (int err = genl_connect(sock.get()); err < 0)
        fail(step, err);
    int family = genl_ctrl_resolve(sock.get(), WG_GENL_NAME);
    if (family < 0)
        throw StepError(step,
                        "the kernel has no WireGuard (" + std::string(nl_geterror(family)) + ")");
    return {std::move(sock), family};
}

MsgPtr new_message(int family, int flags, std::uint8_t cmd, const std::string& step) {
    MsgPtr msg(nlmsg_alloc_size(1 << 16));
    if (!msg)
        throw StepError(step, "out of memory");
    if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, WG_GENL_VERSION))
        throw StepError(step, "cannot build the netlink message");
    return msg;
}

void check(int err, const std::string& step) {
    if (err < 0)
        throw StepError(step, err == -NLE_NOMEM
                                  ? "the configuration does not fit one netlink message"
                                  : nl_geterror(err));
}

int collect_peer(nl_msg* msg, void* arg) {
    auto* keys = static_cast<std::vector<PublicKey>*>(arg);
    nlattr* attrs[WGDEVICE_A_MAX + 1];
    if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, WGDEVICE_A_MAX, nullptr) < 0 ||
        !attrs[WGDEVICE_A_PEERS])
        return NL_OK;
    nlattr* peer;
    int rem;
    nla_for_each_nested(peer, attrs[WGDEVICE_A_PEERS], rem) {
        nlattr* p[WGPEER_A_MAX + 1];
        if (nla_parse_nested(p, WGPEER_A_MAX, peer, nullptr) < 0 || !p[WGPEER_A_PUBLIC_KEY] ||
            nla_len(p[WGPEER_A_PUBLIC_KEY]) != WG_KEY_LEN)
            continue;
        PublicKey k;
        std::memcpy(k.bytes.data(), nla_data(p[WGPEER_A_PUBLIC_KEY]), WG_KEY_LEN);
        if (std::find(keys->begin(), keys->end(), k) == keys->end())
            keys->push_back(k);
    }
    return NL_OK;
}

} // namespace

std::vector<PublicKey> genl_peers(const std::string& ifname) {
    const std::string step = "read WireGuard " + ifname;
    auto [sock, family] = connect_family(step);
    auto msg = new_message(family, NLM_F_DUMP, WG_CMD_GET_DEVICE, step);
    check(nla_put_string(msg.get(), WGDEVICE_A_IFNAME, ifname.c_str()), step);
    std::vector<PublicKey> keys;
    check(nl_socket_modify_cb(sock.get(), NL_CB_VALID, NL_CB_CUSTOM, collect_peer, &keys), step);
    check(nl_send_auto(sock.get(), msg.get()), step);
    check(nl_recvmsgs_default(sock.get()), step);
    return keys;
}

void genl_set(const std::string& ifname, const WgDeviceConfig& config) {
    const std::string step = "configure WireGuard " + ifname;
    std::vector<PublicKey> current = genl_peers(ifname);
    auto [sock, family] = connect_family(step);
    auto msg = new_message(family, NLM_F_REQUEST | NLM_F_ACK, WG_CMD_SET_DEVICE, step);
    nl_msg* m = msg.get();
    check(nla_put_string(m, WGDEVICE_A_IFNAME, ifname.c_str()), step);
    check(nla_put(m, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, config.private_key.bytes().data()), step);
    check(nla_put_u16(m, WGDEVICE_A_LISTEN_PORT, config.listen_port), step);
    check(nla_put_u32(m, WGDEVICE_A_FWMARK, config.fwmark), step);

    nlattr* peers = nla_nest_start(m, WGDEVICE_A_PEERS | NLA_F_NESTED);
    if (!peers)
        check(-NLE_NOMEM, step);
    for (const auto& k : current) {
        bool kept = std::any_of(config.peers.begin(), config.peers.end(),
                                [&](const WgPeerConfig& p) { return p.public_key == k; });
        if (kept)
            continue;
        nlattr* p = nla_nest_start(m, 0 | NLA_F_NESTED);
        check(p ? 0 : -NLE_NOMEM, step);
        check(nla_put(m, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, k.bytes.data()), step);
        check(nla_put_u32(m, WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME), step);
        nla_nest_end(m, p);
    }
    static const KeyBytes no_key{};
    for (const auto& peer : config.peers) {
        nlattr* p = nla_nest_start(m, 0 | NLA_F_NESTED);
        check(p ? 0 : -NLE_NOMEM, step);
        check(nla_put(m, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, peer.public_key.bytes.data()), step);
        check(nla_put_u32(m, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS), step);
        const KeyBytes& psk = peer.preshared_key ? peer.preshared_key->bytes() : no_key;
        check(nla_put(m, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, psk.data()), step);
        if (peer.endpoint) {
            const auto& ss = *peer.endpoint;
            int len = ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
            check(nla_put(m, WGPEER_A_ENDPOINT, len, &ss), step);
        }
        check(nla_put_u16(m, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, peer.persistent_keepalive),
              step);
        nlattr* ips = nla_nest_start(m, WGPEER_A_ALLOWEDIPS | NLA_F_NESTED);
        check(ips ? 0 : -NLE_NOMEM, step);
        for (const auto& a : peer.allowed_ips) {
            nlattr* ip = nla_nest_start(m, 0 | NLA_F_NESTED);
            check(ip ? 0 : -NLE_NOMEM, step);
            bool v4 = a.address.family == AF_INET;
            check(
                nla_put_u16(m, WGALLOWEDIP_A_FAMILY, static_cast<std::uint16_t>(a.address.family)),
                step);
            check(nla_put(m, WGALLOWEDIP_A_IPADDR, v4 ? 4 : 16, a.address.bytes.data()), step);
            check(nla_put_u8(m, WGALLOWEDIP_A_CIDR_MASK, static_cast<std::uint8_t>(a.length)),
                  step);
            nla_nest_end(m, ip);
        }
        nla_nest_end(m, ips);
        nla_nest_end(m, p);
    }
    nla_nest_end(m, peers);

    check(nl_send_auto(sock.get(), m), step);
    check(nl_wait_for_ack(sock.get()), step);
}

} // namespace nsvpn
