// The helper's pure parts: the namespace plan, the state record's text form,
// hook command substitution, the DNS files' text.
#include "dns.hpp"
#include "hooks.hpp"
#include "plan.hpp"
#include "state.hpp"
#include "support.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace nsvpn {
namespace {

Config config_with(const std::string& interface_lines) {
    auto r = test::parse_text("[Interface]\nPrivateKey = " + test::private_key + "\n" +
                              interface_lines + "[Peer]\nPublicKey = " + test::public_key +
                              "\nAllowedIPs = 0.0.0.0/0, ::/0\n");
    EXPECT_FALSE(r.diags.has_errors()) << test::dump(r.diags);
    return r.config;
}

IpPrefix prefix(const std::string& text) {
    return *parse_prefix(text, true);
}

std::vector<std::string> texts(const std::vector<IpPrefix>& l) {
    std::vector<std::string> out;
    for (const auto& p : l)
        out.push_back(p.text());
    return out;
}

TEST(Plan, FreshInterfaceGetsEveryAddressAndBothRoutes) {
    auto plan = plan_namespace(config_with("Address = 10.9.0.2/32, fd09::2/128\nMTU = 1380\n"), {});
    EXPECT_EQ(texts(plan.add), (std::vector<std::string>{"10.9.0.2/32", "fd09::2/128"}));
    EXPECT_TRUE(plan.remove.empty());
    EXPECT_TRUE(plan.ipv6);
    EXPECT_EQ(plan.default_routes, (std::vector<int>{AF_INET, AF_INET6}));
    ASSERT_TRUE(plan.mtu);
    EXPECT_EQ(*plan.mtu, 1380u);
}

TEST(Plan, WithoutAnIpv6AddressIpv6IsOffAndHasNoRoute) {
    auto plan = plan_namespace(config_with("Address = 10.9.0.2/32\n"), {});
    EXPECT_FALSE(plan.ipv6);
    EXPECT_EQ(plan.default_routes, (std::vector<int>{AF_INET}));
    EXPECT_FALSE(plan.mtu);
}

TEST(Plan, ASecondUpChangesNoAddress) {
    auto c = config_with("Address = 10.9.0.2/32, fd09::2/128\n");
    auto plan = plan_namespace(c, {prefix("fd09::2/128"), prefix("10.9.0.2/32")});
    EXPECT_TRUE(plan.add.empty());
    EXPECT_TRUE(plan.remove.empty());
}

TEST(Plan, StaleAddressesGoButLinkLocalStays) {
    auto c = config_with("Address = 10.9.0.3/32, fd09::2/128\n");
    auto plan = plan_namespace(c, {prefix("10.9.0.2/32"), prefix("fe80::1/64"),
                                   prefix("fd09::2/128"), prefix("fd09::9/128")});
    EXPECT_EQ(texts(plan.add), (std::vector<std::string>{"10.9.0.3/32"}));
    EXPECT_EQ(texts(plan.remove), (std::vector<std::string>{"10.9.0.2/32", "fd09::9/128"}));
}

TEST(Plan, ADuplicatedAddressIsAddedOnce) {
    auto plan = plan_namespace(config_with("Address = 10.9.0.2/32\nAddress = 10.9.0.2/32\n"), {});
    EXPECT_EQ(texts(plan.add), (std::vector<std::string>{"10.9.0.2/32"}));
}

TEST(State, TextRoundTrip) {
    UpState s;
    s.name = "vpn";
    s.complete = true;
    s.created_netns = true;
    s.kernel = false;
    s.host_ifname = "nsv0123abcd";
    s.ns_ifname = "wg0";
    s.pid = 4242;
    s.pid_start = 987654321;
    s.files = {"/run/nsvpn/vpn/resolv.conf", "/etc/netns/vpn/resolv.conf"};
    s.pre_down = {"echo a=b; echo c"};
    s.post_down = {"true"};
    auto back = parse_state(format_state(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(format_state(*back), format_state(s));
    EXPECT_FALSE(parse_state("garbage without equals\n"));
}

TEST(Hooks, PercentIIsTheInterface) {
    EXPECT_EQ(substitute_interface("ip -n x link show %i; echo %i%", "wg0"),
              "ip -n x link show wg0; echo wg0%");
    EXPECT_EQ(substitute_interface("no placeholder", "wg0"), "no placeholder");
}

TEST(Dns, ResolvConfFromDns) {
    auto c = config_with("Address = 10.9.0.2/32\nDNS = 10.64.0.1, fd00::53, corp.example\n");
    auto text = resolv_conf_text(c);
    EXPECT_NE(text.find("\nnameserver 10.64.0.1\nnameserver fd00::53\nsearch corp.example\n"),
              std::string::npos)
        << text;
}

TEST(Dns, NsswitchHostsLineIsReplaced) {
    auto text =
        nsswitch_text("passwd: files systemd\nhosts:  files mdns4_minimal [NOTFOUND=return] "
                      "resolve dns myhostname\nnetworks: files\n");
    EXPECT_NE(text.find("\nhosts: files dns\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("resolve"), std::string::npos) << text;
    EXPECT_NE(text.find("passwd: files systemd\n"), std::string::npos);
    EXPECT_NE(nsswitch_text("").find("hosts: files dns\n"), std::string::npos);
}

} // namespace
} // namespace nsvpn
