#include "wg_genl.hpp"

#include "error.hpp"

#include <algorithm>
#include <cstring>
#include <linux/time_types.h>
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

// Text of a WireGuard allowed IP (family, address bytes, prefix length).
std::string allowed_ip_text(nlattr* const a[]) {
    if (!a[WGALLOWEDIP_A_FAMILY] || !a[WGALLOWEDIP_A_IPADDR] || !a[WGALLOWEDIP_A_CIDR_MASK])
        return {};
    IpPrefix p;
    p.address.family = nla_get_u16(a[WGALLOWEDIP_A_FAMILY]);
    std::size_t len = p.address.family == AF_INET ? 4 : p.address.family == AF_INET6 ? 16 : 0;
    if (len == 0 || static_cast<std::size_t>(nla_len(a[WGALLOWEDIP_A_IPADDR])) != len)
        return {};
    std::memcpy(p.address.bytes.data(), nla_data(a[WGALLOWEDIP_A_IPADDR]), len);
    p.length = nla_get_u8(a[WGALLOWEDIP_A_CIDR_MASK]);
    return p.text();
}

// One message of the device dump. A peer whose allowed IPs do not fit one
// message goes on in the next with only its public key and more allowed IPs.
int collect_peers(nl_msg* msg, void* arg) {
    auto* peers = static_cast<std::vector<WgPeerStatus>*>(arg);
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
        if (peers->empty() || !(peers->back().public_key == k)) {
            peers->emplace_back();
            WgPeerStatus& s = peers->back();
            s.public_key = k;
            if (nlattr* a = p[WGPEER_A_PRESHARED_KEY]; a && nla_len(a) == WG_KEY_LEN) {
                const auto* b = static_cast<const std::uint8_t*>(nla_data(a));
                s.has_preshared_key = std::any_of(b, b + WG_KEY_LEN, [](auto x) { return x; });
            }
            if (nlattr* a = p[WGPEER_A_ENDPOINT]) {
                sockaddr_storage ss{};
                auto len = static_cast<std::size_t>(nla_len(a));
                if ((len == sizeof(sockaddr_in) || len == sizeof(sockaddr_in6)) &&
                    len <= sizeof ss) {
                    std::memcpy(&ss, nla_data(a), len);
                    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
                        s.endpoint = endpoint_text(ss, "read a peer's endpoint");
                }
            }
            if (nlattr* a = p[WGPEER_A_LAST_HANDSHAKE_TIME];
                a && static_cast<std::size_t>(nla_len(a)) >= sizeof(__kernel_timespec)) {
                __kernel_timespec ts;
                std::memcpy(&ts, nla_data(a), sizeof ts);
                s.last_handshake_sec = ts.tv_sec;
            }
            if (p[WGPEER_A_RX_BYTES])
                s.rx_bytes = nla_get_u64(p[WGPEER_A_RX_BYTES]);
            if (p[WGPEER_A_TX_BYTES])
                s.tx_bytes = nla_get_u64(p[WGPEER_A_TX_BYTES]);
            if (p[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL])
                s.persistent_keepalive = nla_get_u16(p[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
        }
        if (!p[WGPEER_A_ALLOWEDIPS])
            continue;
        nlattr* ip;
        int ip_rem;
        nla_for_each_nested(ip, p[WGPEER_A_ALLOWEDIPS], ip_rem) {
            nlattr* a[WGALLOWEDIP_A_MAX + 1];
            if (nla_parse_nested(a, WGALLOWEDIP_A_MAX, ip, nullptr) < 0)
                continue;
            if (std::string text = allowed_ip_text(a); !text.empty())
                peers->back().allowed_ips.push_back(std::move(text));
        }
    }
    return NL_OK;
}

} // namespace

std::vector<WgPeerStatus> genl_get(const std::string& ifname) {
    const std::string step = "read WireGuard " + ifname;
    auto [sock, family] = connect_family(step);
    auto msg = new_message(family, NLM_F_DUMP, WG_CMD_GET_DEVICE, step);
    check(nla_put_string(msg.get(), WGDEVICE_A_IFNAME, ifname.c_str()), step);
    std::vector<WgPeerStatus> peers;
    check(nl_socket_modify_cb(sock.get(), NL_CB_VALID, NL_CB_CUSTOM, collect_peers, &peers), step);
    check(nl_send_auto(sock.get(), msg.get()), step);
    check(nl_recvmsgs_default(sock.get()), step);
    return peers;
}

std::vector<PublicKey> genl_peers(const std::string& ifname) {
    std::vector<PublicKey> keys;
    for (const auto& p : genl_get(ifname))
        keys.push_back(p.public_key);
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
