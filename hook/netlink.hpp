// Links, addresses and routes through rtnetlink (libnl-route-3), one socket per
// network namespace. Every libnl object is owned by a unique_ptr.
#pragma once

#include "../config/values.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct nl_sock;

namespace nsvpn {

class Netlink {
  public:
    // A socket in the calling thread's current network namespace.
    static Netlink here();
    // A socket in the network namespace of netns_fd (the caller's stays as it is).
    static Netlink in(int netns_fd);

    // The link's index, or nullopt when there is no such link.
    std::optional<int> link_index(const std::string& name);
    std::vector<std::string> link_names();

    void set_up(int ifindex);
    void set_mtu(int ifindex, unsigned mtu);
    void rename(int ifindex, const std::string& name);
    // Moves the link into the namespace of netns_fd; its index there may differ.
    void move_to(int ifindex, int netns_fd);
    // Creates a kernel WireGuard link named name directly in the namespace of
    // netns_fd, from this socket's namespace, which keeps its UDP socket.
    // Throws KernelLacksWireGuard when the kernel has no WireGuard.
    void create_wireguard(const std::string& name, int netns_fd);

    // Deletes the link; a missing link is no error.
    void remove(int ifindex);

    // Adds the address; one that is already there is no error.
    void add_address(int ifindex, const IpPrefix& prefix);
    std::vector<IpPrefix> addresses(int ifindex);
    // Removes the address; one that is not there is no error.
    void remove_address(int ifindex, const IpPrefix& prefix);

    // Default route (0.0.0.0/0 or ::/0) of the main table through the link;
    // replaces one that is there.
    void replace_default_route(int ifindex, int family);

    // A veth pair: name here, its peer peer_name made directly in the namespace of netns_fd.
    void create_veth(const std::string& name, const std::string& peer_name, int netns_fd);
    // Adds the address without the route to its network (IFA_F_NOPREFIXROUTE);
    // one that is already there is no error.
    void add_address_without_route(int ifindex, const IpPrefix& prefix);
    // The route to dst in table through the link, by gateway when it is set;
    // replaces one that is there.
    void replace_route(std::uint32_t table, const IpPrefix& dst, const IpAddress* gateway,
                       int ifindex);
    // The policy rule "fwmark MARK lookup TABLE" at priority (family AF_INET or
    // AF_INET6); adding one that is there, or removing one that is not, is no error.
    void add_fwmark_rule(int family, std::uint32_t mark, std::uint32_t table,
                         std::uint32_t priority);
    void remove_fwmark_rule(int family, std::uint32_t mark, std::uint32_t table,
                            std::uint32_t priority);
    // The policy rule "to DST lookup TABLE" at priority; as above.
    void add_to_rule(const IpPrefix& dst, std::uint32_t table, std::uint32_t priority);
    void remove_to_rule(const IpPrefix& dst, std::uint32_t table, std::uint32_t priority);
    // The destinations of every route of the family in every table, and the
    // addresses of every link, except default routes: what a new subnet must not overlap.
    std::vector<IpPrefix> networks_in_use(int family);

  private:
    struct SockFree {
        void operator()(nl_sock* s) const;
    };
    explicit Netlink(std::unique_ptr<nl_sock, SockFree> sock, std::string where)
        : sock_(std::move(sock)), where_(std::move(where)) {}
    std::unique_ptr<nl_sock, SockFree> sock_;
    std::string where_; // "host" or "namespace", for messages
};

} // namespace nsvpn
