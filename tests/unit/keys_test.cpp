// Every key of every section, good and bad values, through parsing, merging and
// validation of a whole configuration.
#include "support.hpp"

#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace nsvpn {
namespace {

using test::dump;

std::string join(const std::vector<std::string>& items, const std::string& sep = " ") {
    std::string s;
    for (const auto& i : items)
        s += (s.empty() ? "" : sep) + i;
    return s;
}

template <typename T, typename F> std::string join_list(const ListSetting<T>& l, F text) {
    std::vector<std::string> items;
    for (const auto& i : l)
        items.push_back(text(i.value));
    return join(items);
}

template <typename T> std::string opt_number(const Setting<T>& s) {
    return s ? std::to_string(s->value) : "unset";
}

std::string strings(const ListSetting<std::string>& l) {
    return join_list(l, [](const std::string& s) { return s; });
}

// What a key produced, as text, so a table can say what it expects.
using Extract = std::function<std::string(const Config&)>;

const Peer& first_peer(const Config& c) {
    static const Peer none;
    return c.peers.empty() ? none : c.peers.front();
}

Extract extractor(const std::string& key) {
    if (key == "PrivateKey")
        return [](const Config& c) {
            return c.interface.private_key
                       ? PublicKey{c.interface.private_key->value.bytes()}.base64()
                       : "unset";
        };
    if (key == "PrivateKeyFile")
        return [](const Config& c) {
            return c.interface.private_key_file ? c.interface.private_key_file->value : "unset";
        };
    if (key == "Address")
        return [](const Config& c) {
            return join_list(c.interface.addresses, [](const IpPrefix& p) { return p.text(); });
        };
    if (key == "DNS")
        return [](const Config& c) {
            return join_list(c.interface.dns_servers, [](const IpAddress& a) { return a.text(); }) +
                   " | " + strings(c.interface.dns_search);
        };
    if (key == "MTU")
        return [](const Config& c) { return opt_number(c.interface.mtu); };
    if (key == "ListenPort")
        return [](const Config& c) { return opt_number(c.interface.listen_port); };
    if (key == "FwMark")
        return [](const Config& c) { return opt_number(c.interface.fwmark); };
    if (key == "PreUp")
        return [](const Config& c) { return strings(c.interface.pre_up); };
    if (key == "PostUp")
        return [](const Config& c) { return strings(c.interface.post_up); };
    if (key == "PreDown")
        return [](const Config& c) { return strings(c.interface.pre_down); };
    if (key == "PostDown")
        return [](const Config& c) { return strings(c.interface.post_down); };
    if (key == "PublicKey")
        return [](const Config& c) {
            const auto& p = first_peer(c);
            return p.public_key ? p.public_key->value.base64() : "unset";
        };
    if (key == "PresharedKey")
        return [](const Config& c) {
            const auto& p = first_peer(c);
            return p.preshared_key ? PublicKey{p.preshared_key->value.bytes()}.base64() : "unset";
        };
    if (key == "PresharedKeyFile")
        return [](const Config& c) {
            const auto& p = first_peer(c);
            return p.preshared_key_file ? p.preshared_key_file->value : "unset";
        };
    if (key == "Endpoint")
        return [](const Config& c) {
            const auto& p = first_peer(c);
            if (!p.endpoint)
                return std::string("unset");
            return p.endpoint->value.text() +
                   (p.endpoint->value.host_is_address ? " address" : " name");
        };
    if (key == "AllowedIPs")
        return [](const Config& c) {
            return join_list(first_peer(c).allowed_ips, [](const IpPrefix& p) { return p.text(); });
        };
    if (key == "PersistentKeepalive")
        return [](const Config& c) { return opt_number(first_peer(c).persistent_keepalive); };
    if (key == "Interface")
        return [](const Config& c) { return c.interface_name(); };
    if (key == "Services")
        return [](const Config& c) { return strings(c.ns.services); };
    if (key == "AutoStart")
        return [](const Config& c) { return std::string(c.autostart() ? "yes" : "no"); };
    if (key == "Implementation")
        return [](const Config& c) {
            switch (c.implementation()) {
            case Implementation::Auto:
                return std::string("auto");
            case Implementation::Kernel:
                return std::string("kernel");
            case Implementation::Userspace:
                return std::string("userspace");
            }
            return std::string("?");
        };
    if (key == "UserspaceCommand")
        return [](const Config& c) {
            return c.ns.userspace_command ? c.ns.userspace_command->value : "unset";
        };
    if (key == "Port")
        return [](const Config& c) {
            return join_list(c.expose.ports, [](const ExposedPort& p) { return p.text(); });
        };
    if (key == "ListenAddress")
        return [](const Config& c) {
            return join_list(c.expose.listen_addresses,
                             [](const IpAddress& a) { return a.text(); });
        };
    if (key == "LinkSubnet")
        return [](const Config& c) {
            return c.expose.link_subnet ? c.expose.link_subnet->value.text() : "unset";
        };
    return nullptr;
}

struct Built {
    std::string text;
    unsigned line = 0; // of the assignment under test
};

// A valid configuration with "key = value" in section; a key of the base
// configuration (PrivateKey, Address, PublicKey, AllowedIPs) is replaced.
// Expose gets a Port so that ListenAddress and LinkSubnet are not without effect.
Built build(const std::string& section, const std::string& key, const std::string& value,
            const std::string& spelled_section = "", const std::string& spelled_key = "") {
    std::vector<std::string> lines;
    Built b;
    auto add_tested = [&] {
        lines.push_back((spelled_key.empty() ? key : spelled_key) + " = " + value);
        b.line = static_cast<unsigned>(lines.size());
    };
    auto header = [&](const std::string& s) {
        lines.push_back("[" + (s == section && !spelled_section.empty() ? spelled_section : s) +
                        "]");
    };
    header("Interface");
    if (key != "PrivateKey" && key != "PrivateKeyFile")
        lines.push_back("PrivateKey = " + test::private_key);
    if (!(section == "Interface" && key == "Address"))
        lines.push_back("Address = 10.2.0.2/32");
    if (section == "Interface")
        add_tested();
    header("Peer");
    if (key != "PublicKey")
        lines.push_back("PublicKey = " + test::public_key);
    if (key != "AllowedIPs")
        lines.push_back("AllowedIPs = 0.0.0.0/0");
    if (section == "Peer")
        add_tested();
    if (section == "Namespace") {
        header("Namespace");
        add_tested();
    }
    if (section == "Expose") {
        header("Expose");
        if (key != "Port")
            lines.push_back("Port = 9000");
        add_tested();
    }
    for (const auto& l : lines)
        b.text += l + "\n";
    return b;
}

struct Good {
    const char* section;
    const char* key;
    std::string value;
    std::string expected; // what extractor(key) gives
};

const std::vector<Good>& good_cases() {
    static const std::vector<Good> cases = {
        {"Interface", "PrivateKey", test::private_key, test::private_key},
        {"Interface", "PrivateKeyFile", "/etc/nsvpn/keys/mullvad.key",
         "/etc/nsvpn/keys/mullvad.key"},
        {"Interface", "PrivateKeyFile", "/root/my key", "/root/my key"},
        {"Interface", "Address", "10.2.0.2/32", "10.2.0.2/32"},
        {"Interface", "Address", "10.2.0.2", "10.2.0.2/32"},
        {"Interface", "Address", "10.64.1.2/32,fc00:bbbb:bbbb:bb01::1:102/128",
         "10.64.1.2/32 fc00:bbbb:bbbb:bb01::1:102/128"},
        {"Interface", "Address", " 10.2.0.2/24 , , fd00::2 ", "10.2.0.2/24 fd00::2/128"},
        {"Interface", "DNS", "10.64.0.1", "10.64.0.1 | "},
        {"Interface", "DNS", "10.64.0.1, fc00:bbbb:bbbb:bb01::1",
         "10.64.0.1 fc00:bbbb:bbbb:bb01::1 | "},
        {"Interface", "DNS", "10.2.0.1, lan, corp.example.", "10.2.0.1 | lan corp.example."},
        {"Interface", "MTU", "1420", "1420"},
        {"Interface", "MTU", "576", "576"},
        {"Interface", "MTU", "65535", "65535"},
        {"Interface", "ListenPort", "51820", "51820"},
        {"Interface", "ListenPort", "0", "0"},
        {"Interface", "ListenPort", "65535", "65535"},
        {"Interface", "FwMark", "0xca6c", "51820"},
        {"Interface", "FwMark", "1234", "1234"},
        {"Interface", "FwMark", "off", "0"},
        {"Interface", "FwMark", "4294967295", "4294967295"},
        {"Interface", "PreUp", "echo pre-up", "echo pre-up"},
        {"Interface", "PostUp", "echo a ; echo b", "echo a ; echo b"},
        {"Interface", "PostUp", "iptables -I OUTPUT ! -o %i -j REJECT",
         "iptables -I OUTPUT ! -o %i -j REJECT"},
        {"Interface", "PreDown", "logger 'going down, now'", "logger 'going down, now'"},
        {"Interface", "PostDown", "a; b;c", "a; b;c"},
        {"Peer", "PublicKey", test::public_key, test::public_key},
        {"Peer", "PresharedKey", test::preshared_key, test::preshared_key},
        {"Peer", "PresharedKeyFile", "/etc/nsvpn/keys/psk", "/etc/nsvpn/keys/psk"},
        {"Peer", "Endpoint", "198.51.100.7:51820", "198.51.100.7:51820 address"},
        {"Peer", "Endpoint", "[2001:db8::7]:51820", "[2001:db8::7]:51820 address"},
        {"Peer", "Endpoint", "se-got-wg-001.relays.mullvad.net:51820",
         "se-got-wg-001.relays.mullvad.net:51820 name"},
        {"Peer", "AllowedIPs", "0.0.0.0/0, ::/0", "0.0.0.0/0 ::/0"},
        {"Peer", "AllowedIPs", "10.0.0.0/8,192.168.0.1", "10.0.0.0/8 192.168.0.1/32"},
        {"Peer", "PersistentKeepalive", "25", "25"},
        {"Peer", "PersistentKeepalive", "0", "0"},
        {"Peer", "PersistentKeepalive", "off", "0"},
        {"Peer", "PersistentKeepalive", "65535", "65535"},
        {"Namespace", "Interface", "wg0", "wg0"},
        {"Namespace", "Interface", "mullvad-se-got1", "mullvad-se-got1"},
        {"Namespace", "Services", "rssbot", "rssbot.service"},
        {"Namespace", "Services", "rssbot.service transmission.socket\tgetty@tty7",
         "rssbot.service transmission.socket getty@tty7.service"},
        {"Namespace", "Services", "a, b.socket,c", "a.service b.socket c.service"},
        {"Namespace", "Services", "wg-quick@wg0 netns-helper",
         "wg-quick@wg0.service netns-helper.service"},
        {"Namespace", "AutoStart", "yes", "yes"},
        {"Namespace", "AutoStart", "no", "no"},
        {"Namespace", "AutoStart", "False", "no"},
        {"Namespace", "AutoStart", "on", "yes"},
        {"Namespace", "AutoStart", "0", "no"},
        {"Namespace", "Implementation", "auto", "auto"},
        {"Namespace", "Implementation", "kernel", "kernel"},
        {"Namespace", "Implementation", "userspace", "userspace"},
        {"Namespace", "Implementation", "Userspace", "userspace"},
        {"Namespace", "UserspaceCommand", "/usr/bin/boringtun-cli --foreground",
         "/usr/bin/boringtun-cli --foreground"},
        {"Namespace", "UserspaceCommand", "wireguard-go -f ; true", "wireguard-go -f ; true"},
        {"Expose", "Port", "9000", "9000/tcp"},
        {"Expose", "Port", "8080:80, 5353/udp 9091:9091/tcp", "8080:80/tcp 5353/udp 9091/tcp"},
        {"Expose", "ListenAddress", "127.0.0.1", "127.0.0.1"},
        {"Expose", "ListenAddress", "127.0.0.1, 100.64.1.2 192.168.1.5",
         "127.0.0.1 100.64.1.2 192.168.1.5"},
        {"Expose", "LinkSubnet", "10.251.0.0/30", "10.251.0.0/30"},
        {"Expose", "LinkSubnet", "172.31.255.0/24", "172.31.255.0/24"},
        {"Expose", "LinkSubnet", "172.16.0.0/12", "172.16.0.0/12"},
    };
    return cases;
}

TEST(Keys, GoodValues) {
    for (const auto& c : good_cases()) {
        SCOPED_TRACE(std::string(c.section) + "." + c.key + " = " + c.value);
        auto b = build(c.section, c.key, c.value);
        auto r = test::parse_text(b.text);
        EXPECT_FALSE(r.diags.has_errors()) << b.text << dump(r.diags);
        auto extract = extractor(c.key);
        ASSERT_TRUE(extract);
        EXPECT_EQ(extract(r.config), c.expected);
    }
}

TEST(Keys, EveryKeyOfEverySectionHasAGoodCase) {
    const std::vector<std::pair<std::string, std::string>> all = {
        {"Interface", "PrivateKey"},
        {"Interface", "PrivateKeyFile"},
        {"Interface", "Address"},
        {"Interface", "DNS"},
        {"Interface", "MTU"},
        {"Interface", "ListenPort"},
        {"Interface", "FwMark"},
        {"Interface", "PreUp"},
        {"Interface", "PostUp"},
        {"Interface", "PreDown"},
        {"Interface", "PostDown"},
        {"Peer", "PublicKey"},
        {"Peer", "PresharedKey"},
        {"Peer", "PresharedKeyFile"},
        {"Peer", "Endpoint"},
        {"Peer", "AllowedIPs"},
        {"Peer", "PersistentKeepalive"},
        {"Namespace", "Interface"},
        {"Namespace", "Services"},
        {"Namespace", "AutoStart"},
        {"Namespace", "Implementation"},
        {"Namespace", "UserspaceCommand"},
        {"Expose", "Port"},
        {"Expose", "ListenAddress"},
        {"Expose", "LinkSubnet"},
    };
    for (const auto& [section, key] : all) {
        bool found = false;
        for (const auto& c : good_cases())
            found = found || (section == c.section && key == c.key);
        EXPECT_TRUE(found) << section << "." << key;
    }
}

// The values of keys nsvpn does not set: the defaults.
TEST(Keys, Defaults) {
    auto r = test::parse_text(test::valid_config());
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    const auto& c = r.config;
    EXPECT_EQ(c.interface_name(), "wg0");
    EXPECT_TRUE(c.autostart());
    EXPECT_EQ(c.implementation(), Implementation::Auto);
    EXPECT_FALSE(c.interface.mtu);
    EXPECT_FALSE(c.interface.listen_port);
    EXPECT_FALSE(c.interface.fwmark);
    EXPECT_FALSE(c.ns.userspace_command);
    EXPECT_TRUE(c.ns.services.empty());
    EXPECT_TRUE(c.expose.ports.empty());
    EXPECT_TRUE(c.expose.listen_addresses.empty());
    EXPECT_FALSE(c.expose.link_subnet);
    ASSERT_EQ(c.peers.size(), 1u);
    EXPECT_FALSE(c.peers[0].persistent_keepalive);
    EXPECT_FALSE(c.peers[0].preshared_key);
}

struct Bad {
    const char* section;
    const char* key;
    std::string value;
};

const std::vector<Bad>& bad_cases() {
    static const std::vector<Bad> cases = {
        {"Interface", "PrivateKey", "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm!="},
        {"Interface", "PrivateKey", "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk"},
        {"Interface", "PrivateKey", "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml="},
        {"Interface", "PrivateKey", test::private_key + test::private_key},
        {"Interface", "PrivateKeyFile", "keys/mullvad.key"},
        {"Interface", "PrivateKeyFile", "~/mullvad.key"},
        {"Interface", "Address", "10.2.0.2/33"},
        {"Interface", "Address", "10.2.0.256/32"},
        {"Interface", "Address", "fc00::2/129"},
        {"Interface", "Address", "vpn.example.net"},
        {"Interface", "DNS", "bad!name"},
        {"Interface", "DNS", "-lan"},
        {"Interface", "DNS", "10.64.0.256"},
        {"Interface", "MTU", "575"},
        {"Interface", "MTU", "65536"},
        {"Interface", "MTU", "auto"},
        {"Interface", "MTU", "1420.5"},
        {"Interface", "ListenPort", "65536"},
        {"Interface", "ListenPort", "-1"},
        {"Interface", "ListenPort", "http"},
        {"Interface", "FwMark", "0x1g"},
        {"Interface", "FwMark", "4294967296"},
        {"Interface", "FwMark", "on"},
        {"Peer", "PublicKey", "not-a-key"},
        {"Peer", "PublicKey", test::public_key.substr(1)},
        {"Peer", "PresharedKey", "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw"},
        {"Peer", "PresharedKey", "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8yk*="},
        {"Peer", "PresharedKeyFile", "psk"},
        {"Peer", "Endpoint", "2001:db8::7:51820"},
        {"Peer", "Endpoint", "198.51.100.7"},
        {"Peer", "Endpoint", "198.51.100.7:0"},
        {"Peer", "Endpoint", "198.51.100.7:65536"},
        {"Peer", "Endpoint", "[2001:db8::7]"},
        {"Peer", "Endpoint", "vpn_bad!.example:51820"},
        {"Peer", "Endpoint", "198.51.100.700:51820"},
        {"Peer", "AllowedIPs", "0.0.0.0/33"},
        {"Peer", "AllowedIPs", "everything"},
        {"Peer", "PersistentKeepalive", "65536"},
        {"Peer", "PersistentKeepalive", "25s"},
        {"Peer", "PersistentKeepalive", "-1"},
        {"Namespace", "Interface", "wireguard-mullvad"},
        {"Namespace", "Interface", "wg/0"},
        {"Namespace", "Interface", "wg:0"},
        {"Namespace", "Services", "foo/bar"},
        {"Namespace", "Services", ".."},
        {"Namespace", "Services", "../../etc/evil"},
        {"Namespace", "Services", "backup.timer"},
        {"Namespace", "Services", "rssbot.service bad$unit"},
        {"Namespace", "AutoStart", "maybe"},
        {"Namespace", "AutoStart", "y"},
        {"Namespace", "Implementation", "wireguard-go"},
        {"Namespace", "Implementation", "boringtun"},
        {"Expose", "Port", "0"},
        {"Expose", "Port", "65536"},
        {"Expose", "Port", "9000/sctp"},
        {"Expose", "Port", "127.0.0.1:9000"},
        {"Expose", "ListenAddress", "localhost"},
        {"Expose", "ListenAddress", "127.0.0.1/8"},
        {"Expose", "ListenAddress", "0.0.0.0"},
        {"Expose", "ListenAddress", "::"},
        {"Expose", "LinkSubnet", "10.251.0.1/30"},
        {"Expose", "LinkSubnet", "fd00:251::/64"},
        {"Expose", "LinkSubnet", "10.251.0.0/31"},
        {"Expose", "LinkSubnet", "10.251.0.0"},
        {"Expose", "LinkSubnet", "10.0.0.0/7"},
    };
    return cases;
}

TEST(Keys, BadValues) {
    for (const auto& c : bad_cases()) {
        SCOPED_TRACE(std::string(c.section) + "." + c.key + " = " + c.value);
        auto b = build(c.section, c.key, c.value);
        auto r = test::parse_text(b.text);
        EXPECT_TRUE(test::has_error(r.diags, Problem::BadValue, test::main_file, b.line, c.key))
            << b.text << dump(r.diags);
        // The message says what was expected.
        if (auto d = test::find(r.diags, Problem::BadValue)) {
            EXPECT_GT(d->message.size(), 10u) << d->message;
        }
        // Secret material is never repeated.
        std::string k = c.key;
        if (k == "PrivateKey" || k == "PresharedKey")
            for (const auto& d : r.diags.list()) {
                EXPECT_EQ(d.format().find(c.value.substr(0, 12)), std::string::npos) << d.format();
                EXPECT_EQ(d.format().find(c.value.substr(16, 12)), std::string::npos) << d.format();
            }
    }
}

TEST(Keys, EveryValidatedKeyHasABadCase) {
    for (const char* key : {"PrivateKey",
                            "PrivateKeyFile",
                            "Address",
                            "DNS",
                            "MTU",
                            "ListenPort",
                            "FwMark",
                            "PublicKey",
                            "PresharedKey",
                            "PresharedKeyFile",
                            "Endpoint",
                            "AllowedIPs",
                            "PersistentKeepalive",
                            "Interface",
                            "Services",
                            "AutoStart",
                            "Implementation",
                            "Port",
                            "ListenAddress",
                            "LinkSubnet"}) {
        bool found = false;
        for (const auto& c : bad_cases())
            found = found || std::string(key) == c.key;
        EXPECT_TRUE(found) << key;
    }
}

// PreUp/PostUp/PreDown/PostDown and UserspaceCommand take any text: what is bad
// about them is their line, not their value.
TEST(Keys, CommandsTakeAnyPrintableText) {
    const std::string command = "printf '%s\\n' \"$(ip -4 a)\" | tee /tmp/x && [ -n a ]";
    const std::vector<std::pair<std::string, std::string>> keys = {
        {"Interface", "PreUp"},    {"Interface", "PostUp"},           {"Interface", "PreDown"},
        {"Interface", "PostDown"}, {"Namespace", "UserspaceCommand"},
    };
    for (const auto& [section, key] : keys) {
        auto good = build(section, key, command);
        auto r = test::parse_text(good.text);
        EXPECT_FALSE(r.diags.has_errors()) << key << dump(r.diags);
        EXPECT_EQ(extractor(key)(r.config), command) << key;
        // what is bad about a command is its line: a control character in it
        for (const char* bad : {"echo \x01", "echo \x1b[1m", "printf a\rb"}) {
            auto b = build(section, key, bad);
            auto rb = test::parse_text(b.text);
            EXPECT_TRUE(test::has_error(rb.diags, Problem::Syntax, test::main_file, b.line, key))
                << key << dump(rb.diags);
            EXPECT_EQ(extractor(key)(rb.config), key == "UserspaceCommand" ? "unset" : "") << key;
        }
    }
}

TEST(Keys, CommandListsAccumulateInOrder) {
    auto r = test::parse_text(test::valid_config() + "[Interface]\n"
                                                     "PostUp = one\n"
                                                     "PostUp = two ; three\n"
                                                     "PreDown = a\n"
                                                     "PreDown = b\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    ASSERT_EQ(r.config.interface.post_up.size(), 2u);
    EXPECT_EQ(r.config.interface.post_up[0].value, "one");
    EXPECT_EQ(r.config.interface.post_up[1].value, "two ; three");
    EXPECT_EQ(r.config.interface.post_up[1].where.line, 11u);
    ASSERT_EQ(r.config.interface.pre_down.size(), 2u);
    EXPECT_EQ(r.config.interface.pre_down[1].value, "b");
}

TEST(Keys, TableIsIgnoredWithAWarning) {
    for (const char* value : {"off", "auto", "1234", "main", ""}) {
        auto b = build("Interface", "Table", value);
        auto r = test::parse_text(b.text);
        EXPECT_FALSE(r.diags.has_errors()) << value << dump(r.diags);
        auto w = test::find(r.diags, Problem::Ignored, Severity::Warning);
        ASSERT_TRUE(w) << value << dump(r.diags);
        EXPECT_EQ(w->key, "Table");
        EXPECT_EQ(w->line, b.line);
    }
}

TEST(Keys, SaveConfigIsIgnoredWithAWarningButMustBeABoolean) {
    for (const char* value : {"true", "false", "yes", "0"}) {
        auto b = build("Interface", "SaveConfig", value);
        auto r = test::parse_text(b.text);
        EXPECT_FALSE(r.diags.has_errors()) << value << dump(r.diags);
        auto w = test::find(r.diags, Problem::Ignored, Severity::Warning);
        ASSERT_TRUE(w) << value;
        EXPECT_EQ(w->key, "SaveConfig");
        EXPECT_EQ(w->line, b.line);
    }
    auto b = build("Interface", "SaveConfig", "sometimes");
    auto r = test::parse_text(b.text);
    EXPECT_TRUE(test::has_error(r.diags, Problem::BadValue, test::main_file, b.line, "SaveConfig"))
        << dump(r.diags);
}

// wg-quick and wg(8) compare section and key names without regard to case.
TEST(Keys, NamesAreCaseInsensitive) {
    struct Case {
        const char* section;
        const char* key;
        std::string value;
        std::string spelled_section, spelled_key;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"Interface", "PrivateKey", test::private_key, "interface", "privatekey",
         test::private_key},
        {"Interface", "Address", "10.9.0.2/32", "INTERFACE", "ADDRESS", "10.9.0.2/32"},
        {"Interface", "MTU", "1380", "Interface", "mtu", "1380"},
        {"Interface", "DNS", "10.64.0.1", "interface", "dns", "10.64.0.1 | "},
        {"Interface", "PostUp", "echo", "Interface", "postup", "echo"},
        {"Interface", "FwMark", "7", "Interface", "fwmark", "7"},
        {"Peer", "PublicKey", test::public_key, "peer", "publickey", test::public_key},
        {"Peer", "AllowedIPs", "10.0.0.0/8", "PEER", "allowedips", "10.0.0.0/8"},
        {"Peer", "Endpoint", "198.51.100.7:1", "peer", "ENDPOINT", "198.51.100.7:1 address"},
        {"Peer", "PersistentKeepalive", "25", "Peer", "persistentkeepalive", "25"},
        {"Namespace", "Services", "rssbot", "namespace", "services", "rssbot.service"},
        {"Namespace", "AutoStart", "no", "NameSpace", "autostart", "no"},
        {"Namespace", "Interface", "tun7", "namespace", "INTERFACE", "tun7"},
        {"Expose", "Port", "9000", "expose", "port", "9000/tcp"},
        {"Expose", "LinkSubnet", "10.7.0.0/30", "EXPOSE", "linksubnet", "10.7.0.0/30"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("[" + c.spelled_section + "] " + c.spelled_key);
        auto b = build(c.section, c.key, c.value, c.spelled_section, c.spelled_key);
        auto r = test::parse_text(b.text);
        EXPECT_FALSE(r.diags.has_errors()) << b.text << dump(r.diags);
        EXPECT_EQ(extractor(c.key)(r.config), c.expected);
    }
}

TEST(Keys, CaseInsensitiveDuplicateIsStillADuplicate) {
    auto r = test::parse_text(test::valid_config() + "[Interface]\nMTU = 1420\nmtu = 1380\n");
    EXPECT_TRUE(test::has_error(r.diags, Problem::Duplicate, test::main_file, 11, "MTU"))
        << dump(r.diags);
    ASSERT_TRUE(r.config.interface.mtu);
    EXPECT_EQ(r.config.interface.mtu->value, 1420u);
}

TEST(Keys, KeysOfOtherSectionsAreUnknown) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Interface", "PublicKey"},   {"Interface", "Endpoint"},  {"Interface", "Services"},
        {"Peer", "PrivateKey"},       {"Peer", "Address"},        {"Peer", "DNS"},
        {"Namespace", "Address"},     {"Namespace", "Port"},      {"Expose", "Services"},
        {"Expose", "Interface"},      {"Interface", "Interface"}, {"Peer", "Name"},
        {"Interface", "PrivateKeys"}, {"Peer", "AllowedIP"},      {"Namespace", "Service"},
    };
    for (const auto& [section, key] : cases) {
        std::string text = test::valid_config() + "[" + section + "]\n" + key + " = x\n";
        auto r = test::parse_text(text);
        EXPECT_TRUE(test::has_error(r.diags, Problem::UnknownKey, test::main_file, 10, key))
            << section << "." << key << "\n"
            << dump(r.diags);
        if (auto d = test::find(r.diags, Problem::UnknownKey)) {
            EXPECT_NE(d->message.find("expected one of"), std::string::npos);
        }
    }
}

// An empty assignment in the only file leaves the default, and is no duplicate.
TEST(Keys, EmptyAssignmentMeansDefault) {
    auto r = test::parse_text(test::valid_config() + "[Interface]\nMTU = 1420\nMTU =\n"
                                                     "[Namespace]\nInterface =\nAutoStart =\n");
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    EXPECT_FALSE(r.config.interface.mtu);
    EXPECT_EQ(r.config.interface_name(), "wg0");
    EXPECT_TRUE(r.config.autostart());
}

TEST(Keys, ValuesRememberWhereTheyWereSet) {
    auto r = test::parse_text(test::valid_config());
    ASSERT_TRUE(r.config.interface.private_key);
    EXPECT_EQ(r.config.interface.private_key->where.file, test::main_file);
    EXPECT_EQ(r.config.interface.private_key->where.line, 2u);
    ASSERT_EQ(r.config.interface.addresses.size(), 1u);
    EXPECT_EQ(r.config.interface.addresses[0].where.line, 3u);
    ASSERT_EQ(r.config.peers.size(), 1u);
    EXPECT_EQ(r.config.peers[0].section.line, 5u);
    ASSERT_TRUE(r.config.peers[0].endpoint);
    EXPECT_EQ(r.config.peers[0].endpoint->where.line, 8u);
    EXPECT_EQ(r.config.interface_section.line, 1u);
}

} // namespace
} // namespace nsvpn

namespace nsvpn {
namespace {

// wg-quick splits Address= and DNS= at commas and blanks alike.
TEST(Keys, ListsSplitAtBlanksAsWgQuickDoes) {
    auto r = test::parse_text(
        std::string("[Interface]\nPrivateKey = ") + test::private_key +
        "\nAddress = 10.2.0.2/32 fd00::2/128\nDNS = 10.2.0.1 fd00::1, example.net\n"
        "[Peer]\nPublicKey = " +
        test::public_key + "\nAllowedIPs = 0.0.0.0/0 ::/0\n");
    EXPECT_FALSE(r.diags.has_errors()) << test::dump(r.diags);
    ASSERT_EQ(r.config.interface.addresses.size(), 2u);
    EXPECT_EQ(r.config.interface.addresses[1].value.text(), "fd00::2/128");
    ASSERT_EQ(r.config.interface.dns_servers.size(), 2u);
    ASSERT_EQ(r.config.interface.dns_search.size(), 1u);
    ASSERT_EQ(r.config.peers.at(0).allowed_ips.size(), 2u);
}

} // namespace
} // namespace nsvpn
