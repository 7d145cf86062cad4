// Whole malformed configurations: each must be refused with the right class of
// problem, naming the file, the line and the key.
#include "support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace nsvpn {
namespace {

using test::dump;

const std::string K = test::private_key;
const std::string P = test::public_key;

// Lines 1 to 3 and 1 to 3 of a section of their own.
const std::string iface = "[Interface]\nPrivateKey = " + K + "\nAddress = 10.2.0.2/32\n";
const std::string peer = "[Peer]\nPublicKey = " + P + "\nAllowedIPs = 0.0.0.0/0\n";

struct Malformed {
    std::string name;
    std::string text;
    Problem problem;
    unsigned line;
    std::string key;
};

const std::vector<Malformed>& cases() {
    static const std::vector<Malformed> list = {
        {"overlong_line", iface + "PostUp = " + std::string(70000, 'x') + "\n" + peer,
         Problem::LineTooLong, 4, "PostUp"},
        {"overlong_comment_line", iface + "# " + std::string(65536, '#') + "\n" + peer,
         Problem::LineTooLong, 4, ""},
        {"control_character", iface + "DNS = 10.64.0.1\x01\n" + peer, Problem::Syntax, 4, "DNS"},
        {"nul_byte",
         iface +
             std::string("MTU = 14\0"
                         "20\n",
                         12) +
             peer,
         Problem::Syntax, 4, "MTU"},
        {"escape_sequence", iface + "PostUp = echo \x1b[31mred\n" + peer, Problem::Syntax, 4,
         "PostUp"},
        {"missing_equals", iface + "MTU 1420\n" + peer, Problem::Syntax, 4, ""},
        {"unterminated_header", iface + "[Peer\nPublicKey = " + P + "\n", Problem::Syntax, 4, ""},
        {"duplicate_single_key", iface + "MTU = 1420\nMTU = 1380\n" + peer, Problem::Duplicate, 5,
         "MTU"},
        {"duplicate_endpoint", iface + peer + "Endpoint = 198.51.100.7:1\nEndpoint = a.example:2\n",
         Problem::Duplicate, 8, "Endpoint"},
        {"duplicate_in_repeated_interface",
         iface + peer +
             "[Interface]\nListenPort = 1\n"
             "[Interface]\nListenPort = 2\n",
         Problem::Duplicate, 10, "ListenPort"},
        {"duplicate_namespace_interface",
         iface + peer + "[Namespace]\nInterface = a\nInterface = b\n", Problem::Duplicate, 9,
         "Interface"},
        {"link_subnet_overlaps_address",
         iface + peer + "[Expose]\nPort = 9000\nLinkSubnet = 10.2.0.0/30\n", Problem::Conflict, 9,
         "LinkSubnet"},
        {"listen_address_ipv6_loopback",
         iface + peer + "[Expose]\nPort = 9000\nListenAddress = 127.0.0.1, ::1\n",
         Problem::BadValue, 9, "ListenAddress"},
        {"listen_address_ipv6_global",
         iface + peer + "[Expose]\nPort = 9000\nListenAddress = 2001:db8::5\n", Problem::BadValue,
         9, "ListenAddress"},
        {"interface_named_like_the_veth",
         iface + peer + "[Namespace]\nInterface = host0\n[Expose]\nPort = 9000\n",
         Problem::Conflict, 8, "Interface"},
        {"listen_address_unspecified",
         iface + peer + "[Expose]\nPort = 9000\nListenAddress = 0.0.0.0\n", Problem::BadValue, 9,
         "ListenAddress"},
        {"dropin_style_duplicate_peer_in_main_file", iface + peer + peer, Problem::Duplicate, 8,
         "PublicKey"},
        {"private_key_and_key_file", iface + "PrivateKeyFile = /etc/nsvpn/k\n" + peer,
         Problem::Duplicate, 4, "PrivateKeyFile"},
        {"key_file_and_private_key",
         "[Interface]\nPrivateKeyFile = /etc/nsvpn/k\nPrivateKey = " + K +
             "\nAddress = 10.2.0.2/32\n" + peer,
         Problem::Duplicate, 3, "PrivateKey"},
        {"preshared_key_and_file",
         iface + peer + "PresharedKey = " + test::preshared_key + "\nPresharedKeyFile = /psk\n",
         Problem::Duplicate, 8, "PresharedKeyFile"},
        {"bad_base64_private_key",
         "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm$=\n"
         "Address = 10.2.0.2/32\n" +
             peer,
         Problem::BadValue, 2, "PrivateKey"},
        {"short_public_key", iface + "[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1=\n",
         Problem::BadValue, 5, "PublicKey"},
        {"bad_preshared_key",
         iface + peer + "PresharedKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8yk w=\n",
         Problem::BadValue, 7, "PresharedKey"},
        {"endpoint_bare_ipv6", iface + peer + "Endpoint = 2001:db8::7:51820\n", Problem::BadValue,
         7, "Endpoint"},
        {"endpoint_missing_port", iface + peer + "Endpoint = vpn.example.net\n", Problem::BadValue,
         7, "Endpoint"},
        {"endpoint_port_0", iface + peer + "Endpoint = 198.51.100.7:0\n", Problem::BadValue, 7,
         "Endpoint"},
        {"endpoint_port_65536", iface + peer + "Endpoint = [2001:db8::7]:65536\n",
         Problem::BadValue, 7, "Endpoint"},
        {"address_bad_prefix",
         "[Interface]\nPrivateKey = " + K + "\nAddress = 10.2.0.2/33\n" + peer, Problem::BadValue,
         3, "Address"},
        {"allowed_ips_bad_prefix",
         iface + "[Peer]\nPublicKey = " + P + "\nAllowedIPs = 10.0.0.0/8x\n", Problem::BadValue, 6,
         "AllowedIPs"},
        {"allowed_ips_bad_ipv6_prefix",
         iface + "[Peer]\nPublicKey = " + P + "\nAllowedIPs = 0.0.0.0/0, ::/129\n",
         Problem::BadValue, 6, "AllowedIPs"},
        {"service_with_slash", iface + peer + "[Namespace]\nServices = rssbot ../x/rssbot\n",
         Problem::BadValue, 8, "Services"},
        {"service_dotdot", iface + peer + "[Namespace]\nServices = ..\n", Problem::BadValue, 8,
         "Services"},
        {"service_timer", iface + peer + "[Namespace]\nServices = nightly.timer\n",
         Problem::BadValue, 8, "Services"},
        {"interface_name_16_bytes", iface + peer + "[Namespace]\nInterface = wg-mullvad-se-01\n",
         Problem::BadValue, 8, "Interface"},
        {"bad_boolean", iface + peer + "[Namespace]\nAutoStart = perhaps\n", Problem::BadValue, 8,
         "AutoStart"},
        {"bad_implementation", iface + peer + "[Namespace]\nImplementation = wireguard-go\n",
         Problem::BadValue, 8, "Implementation"},
        {"link_subnet_host_bits",
         iface + peer + "[Expose]\nPort = 9000\nLinkSubnet = 10.251.0.2/30\n", Problem::BadValue, 9,
         "LinkSubnet"},
        {"link_subnet_ipv6", iface + peer + "[Expose]\nPort = 9000\nLinkSubnet = fd00::/126\n",
         Problem::BadValue, 9, "LinkSubnet"},
        {"duplicate_exposed_host_port", iface + peer + "[Expose]\nPort = 9000\nPort = 9000:80\n",
         Problem::Duplicate, 9, "Port"},
        {"duplicate_exposed_port_on_one_line", iface + peer + "[Expose]\nPort = 8080:80, 8080:81\n",
         Problem::Duplicate, 8, "Port"},
        {"duplicate_exposed_port_two_sections",
         iface + peer + "[Expose]\nPort = 5353/udp\n[Expose]\nPort = 5353/udp\n",
         Problem::Duplicate, 10, "Port"},
        {"peer_without_public_key", iface + peer + "[Peer]\nEndpoint = 198.51.100.7:51820\n",
         Problem::Missing, 7, "[Peer]"},
        {"missing_private_key", "[Interface]\nAddress = 10.2.0.2/32\n" + peer, Problem::Missing, 1,
         "PrivateKey"},
        {"missing_address", "\n[Interface]\nPrivateKey = " + K + "\n" + peer, Problem::Missing, 2,
         "Address"},
        {"address_only_a_comment",
         "[Interface]\nPrivateKey = " + K + "\nAddress = # 10.2.0.2/32\n" + peer, Problem::Missing,
         1, "Address"},
        {"no_interface_section", peer, Problem::Missing, 0, "[Interface]"},
        {"unknown_section", iface + peer + "[WireGuard]\nFoo = bar\n", Problem::UnknownSection, 7,
         "[WireGuard]"},
        {"unknown_key", iface + "Mtu2 = 1420\n" + peer, Problem::UnknownKey, 4, "Mtu2"},
        {"key_of_another_section", iface + "Endpoint = 198.51.100.7:51820\n" + peer,
         Problem::UnknownKey, 4, "Endpoint"},
        {"key_outside_section", "PrivateKey = " + K + "\n" + iface + peer, Problem::OutsideSection,
         1, "PrivateKey"},
        {"repeated_peer", iface + peer + peer, Problem::Duplicate, 8, "PublicKey"},
        {"ipv6_with_small_mtu",
         "[Interface]\nPrivateKey = " + K + "\nAddress = 10.2.0.2/32, fd00::2/128\nMTU = 1279\n" +
             peer,
         Problem::Conflict, 4, "MTU"},
        {"interface_lo", iface + peer + "[Namespace]\nInterface = lo\n", Problem::Conflict, 8,
         "Interface"},
        {"userspace_command_with_kernel",
         iface + peer + "[Namespace]\nImplementation = kernel\nUserspaceCommand = boringtun\n",
         Problem::Conflict, 9, "UserspaceCommand"},
        {"service_of_nsvpn_itself", iface + peer + "[Namespace]\nServices = wg-other\n",
         Problem::Conflict, 8, "Services"},
        {"listen_port_too_large", iface + "ListenPort = 65536\n" + peer, Problem::BadValue, 4,
         "ListenPort"},
        {"keepalive_not_a_number", iface + peer + "PersistentKeepalive = 1e3\n", Problem::BadValue,
         7, "PersistentKeepalive"},
        {"fwmark_bad_hex", iface + "FwMark = 0xfffffffff\n" + peer, Problem::BadValue, 4, "FwMark"},
        {"dns_mistyped_address", iface + "DNS = 10.64.0.1, 10.64.0.256\n" + peer, Problem::BadValue,
         4, "DNS"},
        {"endpoint_mistyped_address", iface + peer + "Endpoint = 198.51.100.700:51820\n",
         Problem::BadValue, 7, "Endpoint"},
        {"dns_two_servers_with_semicolon", iface + "DNS = 10.64.0.1;10.64.0.2\n" + peer,
         Problem::BadValue, 4, "DNS"},
        {"bom_crlf_line_numbers",
         "\xef\xbb\xbf[Interface]\r\nPrivateKey = " + K + "\r\n\r\nAddress = 10.2.0.2/33\r\n",
         Problem::BadValue, 4, "Address"},
        {"save_config_not_boolean", iface + "SaveConfig = sometimes\n" + peer, Problem::BadValue, 4,
         "SaveConfig"},
        {"relative_key_file",
         "[Interface]\nPrivateKeyFile = private.key\nAddress = 10.2.0.2/32\n" + peer,
         Problem::BadValue, 2, "PrivateKeyFile"},
    };
    return list;
}

TEST(Malformed, AtLeastThirtyCases) {
    EXPECT_GE(cases().size(), 30u);
}

TEST(Malformed, EachNamesClassFileLineAndKey) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        auto r = test::parse_text(c.text);
        EXPECT_TRUE(r.diags.has_errors());
        EXPECT_TRUE(test::has_error(r.diags, c.problem, test::main_file, c.line, c.key))
            << "expected " << test::problem_name(c.problem) << " at line " << c.line << " key \""
            << c.key << "\"\n"
            << dump(r.diags);
        // Every error names the file; the formatted text names the line when known.
        for (const auto& d : test::errors(r.diags)) {
            EXPECT_EQ(d.file, test::main_file);
            if (d.line > 0) {
                EXPECT_NE(d.format().find(test::main_file + ":" + std::to_string(d.line) + ": "),
                          std::string::npos)
                    << d.format();
            }
            if (!d.key.empty()) {
                EXPECT_NE(d.format().find(": " + d.key + ": "), std::string::npos) << d.format();
            }
        }
    }
}

// The well-formed neighbour of each malformed line must not be what is blamed:
// only the faulty line is named with this class.
TEST(Malformed, OnlyTheFaultyLineIsBlamed) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        auto r = test::parse_text(c.text);
        for (const auto& d : test::errors(r.diags))
            if (d.problem == c.problem && d.key == c.key) {
                EXPECT_EQ(d.line, c.line) << d.format().substr(0, 300);
            }
    }
}

TEST(Malformed, KeyMaterialNeverAppearsInDiagnostics) {
    for (const auto& c : cases()) {
        auto r = test::parse_text(c.text);
        for (const auto& d : r.diags.list())
            for (const auto& k : {K, test::preshared_key,
                                  std::string("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm$=")}) {
                EXPECT_EQ(d.format().find(k.substr(0, 10)), std::string::npos)
                    << c.name << ": " << d.format().substr(0, 300);
                EXPECT_EQ(d.format().find(k.substr(24, 10)), std::string::npos)
                    << c.name << ": " << d.format().substr(0, 300);
            }
    }
}

TEST(Malformed, BadBase64KeyMessage) {
    const std::string bad = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm$=";
    auto r =
        test::parse_text("[Interface]\nPrivateKey = " + bad + "\nAddress = 10.2.0.2/32\n" + peer);
    auto d = test::find(r.diags, Problem::BadValue);
    ASSERT_TRUE(d) << dump(r.diags);
    EXPECT_EQ(d->key, "PrivateKey");
    EXPECT_EQ(d->line, 2u);
    EXPECT_NE(d->message.find("base64"), std::string::npos) << d->message;
    for (std::size_t i = 0; i + 6 <= bad.size(); ++i) {
        EXPECT_EQ(d->format().find(bad.substr(i, 6)), std::string::npos) << d->format();
    }
    // no "missing PrivateKey" on top of the bad one
    EXPECT_FALSE(test::has_error(r.diags, Problem::Missing, test::main_file, 1, "PrivateKey"))
        << dump(r.diags);
}

TEST(Malformed, DuplicateNamesTheFirstLineInItsMessage) {
    auto r = test::parse_text(iface + "MTU = 1420\n\n\nMTU = 1380\n" + peer);
    auto d = test::find(r.diags, Problem::Duplicate);
    ASSERT_TRUE(d) << dump(r.diags);
    EXPECT_EQ(d->line, 7u);
    EXPECT_NE(d->message.find("line 4"), std::string::npos) << d->message;
    // the first value stays
    ASSERT_TRUE(r.config.interface.mtu);
    EXPECT_EQ(r.config.interface.mtu->value, 1420u);
}

TEST(Malformed, RepeatedPeerNamesTheFirstPeer) {
    auto r = test::parse_text(iface + peer + "\n" + peer);
    auto d = test::find(r.diags, Problem::Duplicate);
    ASSERT_TRUE(d) << dump(r.diags);
    EXPECT_EQ(d->line, 9u);
    EXPECT_EQ(d->key, "PublicKey");
    EXPECT_NE(d->message.find(test::main_file + ":4"), std::string::npos) << d->message;
    EXPECT_EQ(r.config.peers.size(), 2u);
}

TEST(Malformed, SeveralPeersWithDifferentKeysAreFine) {
    auto r = test::parse_text(iface + peer + "[Peer]\nPublicKey = " + test::other_public_key +
                              "\nAllowedIPs = 10.0.0.0/8\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.peers.size(), 2u);
    EXPECT_EQ(r.config.peers[1].section.line, 7u);
    EXPECT_EQ(r.config.peers[1].public_key->value.base64(), test::other_public_key);
}

TEST(Malformed, NoPeerIsAWarningOnly) {
    auto r = test::parse_text(iface);
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    auto w = test::find(r.diags, Problem::Missing, Severity::Warning);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->key, "[Peer]");
}

TEST(Malformed, PeerWithoutAllowedIpsIsAWarningOnly) {
    auto r = test::parse_text(iface + "[Peer]\nPublicKey = " + P + "\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    auto w = test::find(r.diags, Problem::Missing, Severity::Warning);
    ASSERT_TRUE(w) << dump(r.diags);
    EXPECT_EQ(w->line, 4u);
}

TEST(Malformed, ServiceListedTwiceIsAWarning) {
    auto r = test::parse_text(iface + peer + "[Namespace]\nServices = a\nServices = a.service\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    auto w = test::find(r.diags, Problem::Duplicate, Severity::Warning);
    ASSERT_TRUE(w) << dump(r.diags);
    EXPECT_EQ(w->line, 9u);
    EXPECT_EQ(w->key, "Services");
}

TEST(Malformed, ExposeSettingsWithoutPortWarn) {
    auto r = test::parse_text(iface + peer + "[Expose]\nListenAddress = 100.64.0.1\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    auto w = test::find(r.diags, Problem::Ignored, Severity::Warning);
    ASSERT_TRUE(w) << dump(r.diags);
    EXPECT_EQ(w->key, "ListenAddress");
    EXPECT_EQ(w->line, 8u);
}

TEST(Malformed, SamePortDifferentProtocolsIsFine) {
    auto r = test::parse_text(iface + peer + "[Expose]\nPort = 53/udp, 53/tcp\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_EQ(r.config.expose.ports.size(), 2u);
}

// An invalid configuration still yields what could be read, so that the
// generator can attach (and so fail closed) the services it names.
TEST(Malformed, InvalidConfigStillHasItsServices) {
    auto r = test::parse_text("[Interface]\nPrivateKey = garbage\n[Namespace]\nServices = rssbot "
                              "qbittorrent-nox\n");
    EXPECT_TRUE(r.diags.has_errors());
    ASSERT_EQ(r.config.ns.services.size(), 2u);
    EXPECT_EQ(r.config.ns.services[0].value, "rssbot.service");
    EXPECT_EQ(r.config.ns.services[1].value, "qbittorrent-nox.service");
}

} // namespace
} // namespace nsvpn
