// The exposure's pure parts: the veth's name, the choice of its subnet, the
// plan, and the nftables tables made from it (through their nft(8) text).
#include "expose_plan.hpp"
#include "firewall.hpp"
#include "support.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace nsvpn {
namespace {

Config exposing(const std::string& expose_lines) {
    auto r = test::parse_text("[Interface]\nPrivateKey = " + test::private_key +
                              "\nAddress = 10.9.0.2/32\n[Peer]\nPublicKey = " + test::public_key +
                              "\nAllowedIPs = 0.0.0.0/0\n[Expose]\n" + expose_lines);
    EXPECT_FALSE(r.diags.has_errors()) << test::dump(r.diags);
    r.config.name = "vpn";
    return r.config;
}

IpPrefix prefix(const std::string& text) {
    return *parse_prefix(text, false);
}

TEST(Expose, HostVethNameIsShortAndStable) {
    EXPECT_EQ(host_veth_name("mullvad"), host_veth_name("mullvad"));
    EXPECT_NE(host_veth_name("mullvad"), host_veth_name("proton"));
    EXPECT_EQ(host_veth_name("a-name-of-thirty-two-characters!").size(), 11u);
    EXPECT_EQ(host_veth_name("x").rfind("nsx", 0), 0u);
}

TEST(Expose, SubnetIsLinkLocalAndAvoidsWhatIsInUse) {
    auto first = choose_link_subnet("vpn", {});
    ASSERT_TRUE(first);
    EXPECT_EQ(first->length, 30u);
    EXPECT_EQ(first->address.bytes[0], 169);
    EXPECT_EQ(first->address.bytes[1], 254);
    EXPECT_EQ(first->address.bytes[3] % 4, 0);
    // the same name gets the same subnet while it is free
    EXPECT_EQ(choose_link_subnet("vpn", {}), first);
    // taken by another VPN's veth (a /30 route on the host): the next one
    auto second = choose_link_subnet("vpn", {*first});
    ASSERT_TRUE(second);
    EXPECT_FALSE(prefixes_overlap(*first, *second));
}

TEST(Expose, SubnetSkipsTheReservedAndTheMetadataRanges) {
    for (const char* name : {"a", "b", "c", "d", "e", "f", "g", "h", "vpn", "mullvad"}) {
        auto s = choose_link_subnet(name, {});
        ASSERT_TRUE(s);
        EXPECT_NE(s->address.bytes[2], 0);
        EXPECT_NE(s->address.bytes[2], 169);
        EXPECT_NE(s->address.bytes[2], 255);
    }
}

TEST(Expose, SubnetFallsBackWhenLinkLocalIsRouted) {
    // NetworkManager's "169.254.0.0/16 dev wlan0": the whole pool is taken
    auto s = choose_link_subnet("vpn", {prefix("169.254.0.0/16")});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->address.text().rfind("10.254.", 0), 0u);
    auto t = choose_link_subnet("vpn", {prefix("169.254.0.0/16"), prefix("10.0.0.0/8")});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->address.text().rfind("172.30.", 0), 0u);
    EXPECT_FALSE(choose_link_subnet(
        "vpn", {prefix("169.254.0.0/16"), prefix("10.0.0.0/8"), prefix("172.16.0.0/12")}));
}

TEST(Expose, PlanTakesTheFirstTwoAddressesOfTheSubnet) {
    auto plan = plan_exposure(exposing("Port = 9000\nLinkSubnet = 10.251.7.8/30\n"),
                              prefix("10.251.7.8/30"));
    EXPECT_EQ(plan.host_address.text(), "10.251.7.9");
    EXPECT_EQ(plan.ns_address.text(), "10.251.7.10");
    EXPECT_EQ(plan.ns_veth, "host0");
    EXPECT_EQ(plan.tunnel, "wg0");
    ASSERT_EQ(plan.listen.size(), 1u);
    EXPECT_EQ(plan.listen[0].text(), "127.0.0.1"); // the default
}

TEST(Expose, PlanOfAWiderSubnetStartsAtItsNetworkAddress) {
    auto plan = plan_exposure(exposing("Port = 9000\n"), prefix("10.251.7.77/24"));
    EXPECT_EQ(plan.link.text(), "10.251.7.0/24");
    EXPECT_EQ(plan.host_address.text(), "10.251.7.1");
    EXPECT_EQ(plan.ns_address.text(), "10.251.7.2");
}

std::string host_text(const std::string& expose_lines) {
    auto c = exposing(expose_lines);
    auto plan = plan_exposure(c, prefix("169.254.9.0/30"));
    return nft_text(host_table("vpn", plan));
}

TEST(Expose, HostTableDnatsOnlyListedAddressesAndLoopbackOnlyFromTheHost) {
    auto text = host_text("Port = 8080:9000\nListenAddress = 127.0.0.1, 100.100.1.1\n");
    EXPECT_NE(text.find("table inet nsvpn-vpn {"), std::string::npos);
    auto pre = text.substr(text.find("chain prerouting"),
                           text.find("chain output") - text.find("chain prerouting"));
    auto out = text.substr(text.find("chain output"),
                           text.find("chain postrouting") - text.find("chain output"));
    // from elsewhere: only the non-loopback address, only where it lives
    EXPECT_EQ(pre.find("127.0.0.1"), std::string::npos) << pre;
    EXPECT_NE(pre.find("ip daddr 100.100.1.1/32 fib daddr . iif type local meta l4proto tcp th "
                       "dport 8080 dnat ip to 169.254.9.2:9000"),
              std::string::npos)
        << pre;
    // from the host itself: both
    EXPECT_NE(out.find("ip daddr 127.0.0.1/32 meta l4proto tcp th dport 8080 dnat ip to "
                       "169.254.9.2:9000"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("ip daddr 100.100.1.1/32"), std::string::npos) << out;
    EXPECT_NE(text.find("ip saddr 127.0.0.0/8 snat ip to 169.254.9.1"), std::string::npos);
}

TEST(Expose, HostTableLetsOnlyRepliesInFromTheVeth) {
    auto text = host_text("Port = 9000\n");
    auto veth = host_veth_name("vpn");
    for (const char* chain : {"chain input", "chain forward"}) {
        auto at = text.find(chain);
        ASSERT_NE(at, std::string::npos);
        auto body = text.substr(at, text.find("}", at) - at);
        EXPECT_NE(body.find("iifname \"" + veth + "\" ct direction reply accept\n\t\tiifname \"" +
                            veth + "\" drop"),
                  std::string::npos)
            << body;
    }
}

TEST(Expose, FencedForwardingGoesOnlyToTheVeths) {
    auto c = exposing("Port = 9000\nListenAddress = 100.100.1.1\n");
    auto plan = plan_exposure(c, prefix("169.254.9.0/30"));
    plan.fenced.push_back("tailscale0");
    auto text = nft_text(host_table("vpn", plan));
    EXPECT_NE(text.find("iifname \"tailscale0\" oifname != \"nsx*\" drop"), std::string::npos)
        << text;
}

TEST(Expose, NamespaceTableMarksExposedPortsAndGuardsTheVeth) {
    auto c = exposing("Port = 9000\nPort = 5353:53/udp\n");
    auto text = nft_text(namespace_table(plan_exposure(c, prefix("169.254.9.0/30"))));
    EXPECT_NE(text.find("iifname \"host0\" ct state new meta l4proto tcp th dport 9000 ct mark "
                        "set 0x6e73"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("iifname \"host0\" ct state new meta l4proto udp th dport 53 ct mark set "
                        "0x6e73"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("iifname \"wg0\" ct state new meta l4proto tcp th dport 9000 drop"),
              std::string::npos)
        << text;
    // the guard: replies of marked connections, then nothing
    auto guard = text.substr(text.find("chain guard"));
    EXPECT_NE(guard.find("oifname \"host0\" ct mark 0x6e73 ct direction reply accept\n\t\toifname "
                         "\"host0\" drop\n"),
              std::string::npos)
        << guard;
    // the guard is in postrouting, after every routing decision
    EXPECT_NE(guard.find("type filter hook postrouting"), std::string::npos);
}

} // namespace
} // namespace nsvpn
