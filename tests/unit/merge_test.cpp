// Drop-ins: single keys override, lists append, an empty assignment resets, a
// [Peer] changes the peer of its PublicKey or adds one.
#include "support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace nsvpn {
namespace {

using test::dump;

const std::string dropin1 = "/etc/nsvpn/test.conf.d/10-first.conf";
const std::string dropin2 = "/run/nsvpn/test.conf.d/20-second.conf";

// 1-8: test::valid_config(); then:
std::string main_text() {
    return test::valid_config() + "[Interface]\n"                      // 9
                                  "MTU = 1420\n"                       // 10
                                  "DNS = 10.64.0.1\n"                  // 11
                                  "[Namespace]\n"                      // 12
                                  "Services = a\n"                     // 13
                                  "Interface = wg7\n"                  // 14
                                  "AutoStart = no\n"                   // 15
                                  "Implementation = userspace\n"       // 16
                                  "UserspaceCommand = boringtun-cli\n" // 17
                                  "[Expose]\n"                         // 18
                                  "Port = 9000\n"                      // 19
                                  "ListenAddress = 127.0.0.1\n"        // 20
                                  "LinkSubnet = 10.251.0.0/30\n";      // 21
}

test::Result with_dropins(const std::vector<std::string>& texts, const std::string& main = "") {
    std::vector<std::pair<std::string, std::string>> files = {
        {test::main_file, main.empty() ? main_text() : main}};
    const std::vector<std::string> paths = {dropin1, dropin2};
    for (std::size_t i = 0; i < texts.size(); ++i)
        files.push_back({paths.at(i), texts[i]});
    return test::parse_files(files);
}

std::vector<std::string> texts(const ListSetting<IpPrefix>& l) {
    std::vector<std::string> out;
    for (const auto& p : l)
        out.push_back(p.value.text());
    return out;
}

std::vector<std::string> texts(const ListSetting<std::string>& l) {
    std::vector<std::string> out;
    for (const auto& p : l)
        out.push_back(p.value);
    return out;
}

TEST(Merge, MainFileAlone) {
    auto r = with_dropins({});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_EQ(r.config.name, "test");
    EXPECT_EQ(r.config.source.file, test::main_file);
    EXPECT_TRUE(r.config.dropins.empty());
    EXPECT_EQ(r.config.interface.mtu->value, 1420u);
    EXPECT_EQ(r.config.interface_name(), "wg7");
    EXPECT_FALSE(r.config.autostart());
}

TEST(Merge, DropinsAreRecordedInOrder) {
    auto r = with_dropins({"", "# nothing\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_EQ(r.config.dropins, (std::vector<std::string>{dropin1, dropin2}));
}

TEST(Merge, SingleKeysOverride) {
    auto r = with_dropins({"[Interface]\nMTU = 1380\nListenPort = 51000\n"
                           "[Namespace]\nInterface = tun0\nAutoStart = yes\nImplementation = auto\n"
                           "[Expose]\nLinkSubnet = 10.99.0.0/30\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    const auto& c = r.config;
    ASSERT_TRUE(c.interface.mtu);
    EXPECT_EQ(c.interface.mtu->value, 1380u);
    EXPECT_EQ(c.interface.mtu->where.file, dropin1);
    EXPECT_EQ(c.interface.mtu->where.line, 2u);
    EXPECT_EQ(c.interface.listen_port->value, 51000u);
    EXPECT_EQ(c.interface_name(), "tun0");
    EXPECT_TRUE(c.autostart());
    EXPECT_EQ(c.implementation(), Implementation::Auto);
    EXPECT_EQ(c.expose.link_subnet->value.text(), "10.99.0.0/30");
    EXPECT_EQ(c.expose.link_subnet->where.line, 9u);
}

TEST(Merge, TheLastDropinWins) {
    auto r = with_dropins({"[Interface]\nMTU = 1380\n", "[Interface]\nMTU = 1280\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_EQ(r.config.interface.mtu->value, 1280u);
    EXPECT_EQ(r.config.interface.mtu->where.file, dropin2);
}

TEST(Merge, SameKeyInMainAndDropinIsNoDuplicate) {
    auto r = with_dropins({"[Interface]\nMTU = 1380\n[Namespace]\nInterface = wg9\n"});
    EXPECT_FALSE(test::find(r.diags, Problem::Duplicate)) << dump(r.diags);
}

TEST(Merge, DuplicateWithinOneDropinIsAnError) {
    auto r = with_dropins({"[Interface]\nMTU = 1380\nMTU = 1381\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::Duplicate, dropin1, 3, "MTU")) << dump(r.diags);
}

TEST(Merge, ListsAppend) {
    auto r = with_dropins({"[Interface]\nAddress = fd00::2/128\nDNS = 10.64.0.2, lan\n"
                           "PostUp = echo one\n"
                           "[Namespace]\nServices = b c.socket\n"
                           "[Expose]\nPort = 9091\nListenAddress = 100.64.0.7\n",
                           "[Interface]\nAddress = 10.9.0.2\n[Namespace]\nServices = d\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    const auto& c = r.config;
    EXPECT_EQ(texts(c.interface.addresses),
              (std::vector<std::string>{"10.2.0.2/32", "fd00::2/128", "10.9.0.2/32"}));
    ASSERT_EQ(c.interface.dns_servers.size(), 2u);
    EXPECT_EQ(c.interface.dns_servers[1].value.text(), "10.64.0.2");
    EXPECT_EQ(c.interface.dns_servers[1].where.file, dropin1);
    EXPECT_EQ(texts(c.interface.dns_search), (std::vector<std::string>{"lan"}));
    EXPECT_EQ(texts(c.interface.post_up), (std::vector<std::string>{"echo one"}));
    EXPECT_EQ(texts(c.ns.services),
              (std::vector<std::string>{"a.service", "b.service", "c.socket", "d.service"}));
    ASSERT_EQ(c.expose.ports.size(), 2u);
    EXPECT_EQ(c.expose.ports[1].value.text(), "9091/tcp");
    ASSERT_EQ(c.expose.listen_addresses.size(), 2u);
    EXPECT_EQ(c.expose.listen_addresses[1].value.text(), "100.64.0.7");
}

TEST(Merge, EmptyAssignmentResetsAList) {
    auto r = with_dropins({"[Interface]\nAddress =\nAddress = 10.9.0.2/32\nDNS =\n"
                           "[Namespace]\nServices =\n"
                           "[Expose]\nPort =\nPort = 8080\nListenAddress =\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    const auto& c = r.config;
    EXPECT_EQ(texts(c.interface.addresses), (std::vector<std::string>{"10.9.0.2/32"}));
    EXPECT_TRUE(c.interface.dns_servers.empty());
    EXPECT_TRUE(c.interface.dns_search.empty());
    EXPECT_TRUE(c.ns.services.empty());
    ASSERT_EQ(c.expose.ports.size(), 1u);
    EXPECT_EQ(c.expose.ports[0].value.port, 8080u);
    EXPECT_TRUE(c.expose.listen_addresses.empty());
}

TEST(Merge, ResetThenAppendInALaterDropin) {
    auto r = with_dropins({"[Namespace]\nServices =\n", "[Namespace]\nServices = z\n"});
    EXPECT_EQ(texts(r.config.ns.services), (std::vector<std::string>{"z.service"}));
}

TEST(Merge, EmptyAssignmentResetsASingleKeyToItsDefault) {
    auto r = with_dropins({"[Interface]\nMTU =\n[Namespace]\nInterface =\nAutoStart =\n"
                           "Implementation =\nUserspaceCommand =\n[Expose]\nLinkSubnet =\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    const auto& c = r.config;
    EXPECT_FALSE(c.interface.mtu);
    EXPECT_EQ(c.interface_name(), "wg0");
    EXPECT_TRUE(c.autostart());
    EXPECT_EQ(c.implementation(), Implementation::Auto);
    EXPECT_FALSE(c.ns.userspace_command);
    EXPECT_FALSE(c.expose.link_subnet);
}

TEST(Merge, ResettingTheOnlyAddressMakesItMissing) {
    auto r = with_dropins({"[Interface]\nAddress =\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::Missing, test::main_file, 1, "Address"))
        << dump(r.diags);
}

TEST(Merge, ResettingThePrivateKeyMakesItMissing) {
    auto r = with_dropins({"[Interface]\nPrivateKey =\n"});
    EXPECT_FALSE(r.config.interface.private_key);
    EXPECT_TRUE(test::has_error(r.diags, Problem::Missing, test::main_file, 1, "PrivateKey"))
        << dump(r.diags);
}

TEST(Merge, PrivateKeyFileInADropinReplacesPrivateKey) {
    auto r = with_dropins({"[Interface]\nPrivateKeyFile = /etc/nsvpn/keys/test.key\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_FALSE(r.config.interface.private_key);
    ASSERT_TRUE(r.config.interface.private_key_file);
    EXPECT_EQ(r.config.interface.private_key_file->value, "/etc/nsvpn/keys/test.key");
}

TEST(Merge, PrivateKeyInADropinReplacesPrivateKeyFile) {
    std::string main = "[Interface]\nPrivateKeyFile = /k\nAddress = 10.2.0.2/32\n";
    auto r = with_dropins({"[Interface]\nPrivateKey = " + test::private_key + "\n"}, main);
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_FALSE(r.config.interface.private_key_file);
    ASSERT_TRUE(r.config.interface.private_key);
    EXPECT_EQ(r.config.interface.private_key->where.file, dropin1);
}

TEST(Merge, DropinPeerWithKnownPublicKeyModifiesIt) {
    auto r = with_dropins({"[Peer]\n"
                           "PublicKey = " +
                           test::public_key +
                           "\n"
                           "Endpoint = [2001:db8::9]:443\n"
                           "AllowedIPs = ::/0\n"
                           "PersistentKeepalive = 25\n"
                           "PresharedKey = " +
                           test::preshared_key + "\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 1u);
    const auto& p = r.config.peers[0];
    EXPECT_EQ(p.section.file, test::main_file);
    EXPECT_EQ(p.section.line, 5u);
    ASSERT_TRUE(p.endpoint);
    EXPECT_EQ(p.endpoint->value.text(), "[2001:db8::9]:443");
    EXPECT_EQ(p.endpoint->where.file, dropin1);
    EXPECT_EQ(texts(p.allowed_ips), (std::vector<std::string>{"0.0.0.0/0", "::/0"}));
    EXPECT_EQ(p.persistent_keepalive->value, 25u);
    EXPECT_TRUE(p.preshared_key);
}

TEST(Merge, DropinPeerMatchesWhereverItsPublicKeyIs) {
    auto r = with_dropins({"[peer]\nendpoint = 203.0.113.5:1\npublickey = " + test::public_key +
                           "\nAllowedIPs =\nAllowedIPs = 10.0.0.0/8\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 1u);
    EXPECT_EQ(r.config.peers[0].endpoint->value.text(), "203.0.113.5:1");
    EXPECT_EQ(texts(r.config.peers[0].allowed_ips), (std::vector<std::string>{"10.0.0.0/8"}));
}

TEST(Merge, DropinPeerCanResetASingleKey) {
    auto r = with_dropins({"[Peer]\nPublicKey = " + test::public_key + "\nEndpoint =\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 1u);
    EXPECT_FALSE(r.config.peers[0].endpoint);
}

TEST(Merge, DropinPeerWithNewPublicKeyIsAdded) {
    auto r = with_dropins({"\n[Peer]\nPublicKey = " + test::other_public_key +
                           "\nAllowedIPs = 10.0.0.0/8\nEndpoint = vpn.example.net:51820\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 2u);
    EXPECT_EQ(r.config.peers[0].public_key->value.base64(), test::public_key);
    EXPECT_EQ(r.config.peers[0].endpoint->value.text(), "198.51.100.7:51820");
    const auto& p = r.config.peers[1];
    EXPECT_EQ(p.public_key->value.base64(), test::other_public_key);
    EXPECT_EQ(p.section.file, dropin1);
    EXPECT_EQ(p.section.line, 2u);
    EXPECT_EQ(texts(p.allowed_ips), (std::vector<std::string>{"10.0.0.0/8"}));
}

TEST(Merge, PeerAddedByOneDropinIsModifiedByTheNext) {
    auto r = with_dropins(
        {"[Peer]\nPublicKey = " + test::other_public_key + "\nAllowedIPs = 10.0.0.0/8\n",
         "[Peer]\nPublicKey = " + test::other_public_key + "\nAllowedIPs = 172.16.0.0/12\n"});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 2u);
    EXPECT_EQ(texts(r.config.peers[1].allowed_ips),
              (std::vector<std::string>{"10.0.0.0/8", "172.16.0.0/12"}));
}

TEST(Merge, DropinPeerWithoutPublicKeyIsAnError) {
    auto r = with_dropins({"[Interface]\nMTU = 1400\n\n[Peer]\nEndpoint = 203.0.113.5:1\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::Missing, dropin1, 4, "[Peer]")) << dump(r.diags);
    // it changes nothing and adds nothing
    ASSERT_EQ(r.config.peers.size(), 1u);
    EXPECT_EQ(r.config.peers[0].endpoint->value.text(), "198.51.100.7:51820");
    // the rest of the drop-in still applies
    EXPECT_EQ(r.config.interface.mtu->value, 1400u);
}

TEST(Merge, DropinPeerWithBadPublicKeyIsAnError) {
    auto r = with_dropins({"[Peer]\nPublicKey = nonsense\nEndpoint = 203.0.113.5:1\n"});
    EXPECT_TRUE(r.diags.has_errors());
    EXPECT_TRUE(test::has_error(r.diags, Problem::Missing, dropin1, 1, "[Peer]")) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 1u);
    EXPECT_EQ(r.config.peers[0].endpoint->value.text(), "198.51.100.7:51820");
}

TEST(Merge, ErrorsInDropinsNameTheDropin) {
    auto r =
        with_dropins({"[Interface]\nMTU = 1420\n", "\n\n[Interface]\nMTU = tiny\nBogus = 1\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::BadValue, dropin2, 4, "MTU")) << dump(r.diags);
    EXPECT_TRUE(test::has_error(r.diags, Problem::UnknownKey, dropin2, 5, "Bogus"))
        << dump(r.diags);
    // the refused value leaves the one before
    EXPECT_EQ(r.config.interface.mtu->where.file, dropin1);
}

TEST(Merge, ValidationSpansFiles) {
    auto r = with_dropins({"[Expose]\nPort = 9000/tcp\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::Duplicate, dropin1, 2, "Port")) << dump(r.diags);
    auto d = test::find(r.diags, Problem::Duplicate);
    ASSERT_TRUE(d);
    EXPECT_NE(d->message.find(test::main_file + ":19"), std::string::npos) << d->message;
}

TEST(Merge, DropinMayProvideTheInterface) {
    auto r = test::parse_files({{test::main_file, "[Namespace]\nServices = x\n"},
                                {dropin1, "[Interface]\nPrivateKey = " + test::private_key +
                                              "\nAddress = 10.2.0.2/32\n"}});
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_EQ(r.config.interface_section.file, dropin1);
    EXPECT_EQ(r.config.interface_section.line, 1u);
}

TEST(Merge, UnknownSectionInADropin) {
    auto r = with_dropins({"[Interface]\nMTU = 1400\n[Unit]\nAfter = x\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::UnknownSection, dropin1, 3, "[Unit]"))
        << dump(r.diags);
    EXPECT_EQ(r.config.interface.mtu->value, 1400u);
}

} // namespace
} // namespace nsvpn

namespace nsvpn {
namespace {

TEST(Merge, TwoDropinPeersNamingTheSamePeerAreAnError) {
    const std::string p = "[Peer]\nPublicKey = " + test::public_key + "\n";
    auto r = with_dropins({p + "PersistentKeepalive = 5\n" + p + "PersistentKeepalive = 9\n"});
    EXPECT_TRUE(test::has_error(r.diags, Problem::Duplicate, dropin1, 4, "[Peer]"))
        << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 1u);
    EXPECT_EQ(r.config.peers[0].persistent_keepalive->value, 5u); // the second section is refused
}

} // namespace
} // namespace nsvpn
