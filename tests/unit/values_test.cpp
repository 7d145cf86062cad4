// The value parsers of values.hpp, one table of good and bad input each.
#include "support.hpp"
#include "values.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace nsvpn {
namespace {

TEST(Values, KeyRoundTrip) {
    auto k = nsvpn::parse_key("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
    ASSERT_TRUE(k);
    EXPECT_EQ(nsvpn::PublicKey{*k}.base64(), "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
}

TEST(Values, KeysOfTheTestsAreCanonical) {
    for (const auto& key :
         {test::private_key, test::public_key, test::other_public_key, test::preshared_key}) {
        auto k = parse_key(key);
        ASSERT_TRUE(k) << key;
        EXPECT_EQ(PublicKey{*k}.base64(), key);
    }
}

TEST(Values, KeyAllZeroAndAllOnes) {
    auto zero = parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    ASSERT_TRUE(zero);
    EXPECT_EQ(*zero, KeyBytes{});
    auto ones = parse_key("//////////////////////////////////////////8=");
    ASSERT_TRUE(ones);
    for (auto b : *ones) {
        EXPECT_EQ(b, 0xff);
    }
}

TEST(Values, BadKeysAreRefusedWithoutRepeatingThem) {
    const std::vector<std::string> bad = {
        "",
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk",    // no '='
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk==",  // 45 characters
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm=",    // 43 characters
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm!=",   // not base64
        "yAnz5TF-lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",   // base64url
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=",   // low bits set: not canonical
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3f mk=",   // a space
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA",   // no padding
        "=Anz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",   // padding first
        "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n", // a newline
    };
    for (const auto& text : bad) {
        auto k = parse_key(text);
        EXPECT_FALSE(k) << text;
        if (!k && text.size() > 8) {
            EXPECT_EQ(k.error().find(text.substr(0, 8)), std::string::npos) << k.error();
            EXPECT_EQ(k.error().find(text.substr(20, 8)), std::string::npos) << k.error();
        }
    }
}

struct TextCase {
    std::string input;
    bool ok;
    std::string expected; // text() of the result when ok
};

TEST(Values, Addresses) {
    const std::vector<TextCase> cases = {
        {"10.2.0.2", true, "10.2.0.2"},
        {"0.0.0.0", true, "0.0.0.0"},
        {"255.255.255.255", true, "255.255.255.255"},
        {"2001:db8::1", true, "2001:db8::1"},
        {"2001:DB8:0:0:0:0:0:1", true, "2001:db8::1"},
        {"::", true, "::"},
        {"::ffff:10.0.0.1", true, "::ffff:10.0.0.1"},
        {"", false, ""},
        {"10.2.0", false, ""},
        {"10.2.0.256", false, ""},
        {"10.2.0.2.1", false, ""},
        {" 10.2.0.2", false, ""},
        {"010.2.0.2x", false, ""},
        {"2001:db8:::1", false, ""},
        {"fe80::1%eth0", false, ""},
        {"[2001:db8::1]", false, ""},
        {"localhost", false, ""},
    };
    for (const auto& c : cases) {
        auto a = parse_address(c.input);
        EXPECT_EQ(static_cast<bool>(a), c.ok) << '"' << c.input << '"';
        if (a && c.ok) {
            EXPECT_EQ(a->text(), c.expected);
        }
    }
}

TEST(Values, Prefixes) {
    struct Case {
        std::string input;
        bool host_default;
        bool ok;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"10.2.0.2/32", true, true, "10.2.0.2/32"},
        {"10.2.0.2", true, true, "10.2.0.2/32"},
        {"10.2.0.2", false, false, ""},
        {"0.0.0.0/0", false, true, "0.0.0.0/0"},
        {"10.0.0.0/8", false, true, "10.0.0.0/8"},
        {"10.2.0.2/24", false, true, "10.2.0.2/24"}, // host bits are fine in Address=
        {"fc00::2/128", true, true, "fc00::2/128"},
        {"fc00::2", true, true, "fc00::2/128"},
        {"::/0", true, true, "::/0"},
        {"fc00::/7", true, true, "fc00::/7"},
        {"10.2.0.2/33", true, false, ""},
        {"fc00::2/129", true, false, ""},
        {"10.2.0.2/", true, false, ""},
        {"10.2.0.2/-1", true, false, ""},
        {"10.2.0.2/+8", true, false, ""},
        {"10.2.0.2/8a", true, false, ""},
        {"10.2.0.2/0008", true, false, ""},
        {"10.2.0.2/99999999999999999999999", true, false, ""},
        {"10.2.0/24", true, false, ""},
        {"/24", true, false, ""},
        {"", true, false, ""},
        {"10.2.0.2/24/1", true, false, ""},
        {"10.2.0.2 /24", true, false, ""},
    };
    for (const auto& c : cases) {
        auto p = parse_prefix(c.input, c.host_default);
        EXPECT_EQ(static_cast<bool>(p), c.ok) << '"' << c.input << '"';
        if (p && c.ok) {
            EXPECT_EQ(p->text(), c.expected);
        }
        if (!p) {
            EXPECT_NE(p.error().find("ADDRESS/PREFIXLEN"), std::string::npos) << p.error();
        }
    }
}

TEST(Values, Endpoints) {
    struct Case {
        std::string input;
        bool ok;
        std::string host;
        unsigned port;
        bool is_address;
    };
    const std::vector<Case> cases = {
        {"198.51.100.7:51820", true, "198.51.100.7", 51820, true},
        {"[2001:db8::7]:51820", true, "2001:db8::7", 51820, true},
        {"vpn.example.net:51820", true, "vpn.example.net", 51820, false},
        {"se-got-wg-001.relays.mullvad.net:1", true, "se-got-wg-001.relays.mullvad.net", 1, false},
        {"vpn.example.net.:65535", true, "vpn.example.net.", 65535, false},
        {"localhost:443", true, "localhost", 443, false},
        {"2001:db8::7:51820", false, "", 0, false},    // IPv6 without brackets
        {"2001:db8::7", false, "", 0, false},          // and without a port
        {"198.51.100.7", false, "", 0, false},         // no port
        {"198.51.100.7:", false, "", 0, false},        // empty port
        {"198.51.100.7:0", false, "", 0, false},       // port 0
        {"198.51.100.7:65536", false, "", 0, false},   // port too large
        {"198.51.100.7:-1", false, "", 0, false},      // negative
        {"198.51.100.7:51820x", false, "", 0, false},  // junk after the port
        {"[2001:db8::7]", false, "", 0, false},        // brackets without a port
        {"[2001:db8::7]51820", false, "", 0, false},   // no colon
        {"[2001:db8::7:51820", false, "", 0, false},   // unterminated
        {"[198.51.100.7]:51820", false, "", 0, false}, // IPv4 in brackets
        {"[vpn.example.net]:51820", false, "", 0, false},
        {":51820", false, "", 0, false},               // no host
        {"198.51.100.700:51820", false, "", 0, false}, // a mistyped address, not a name
        {"-vpn.example.net:51820", false, "", 0, false},
        {"vpn..example.net:51820", false, "", 0, false},
        {"vpn example.net:51820", false, "", 0, false},
        {"", false, "", 0, false},
    };
    for (const auto& c : cases) {
        auto e = parse_endpoint(c.input);
        EXPECT_EQ(static_cast<bool>(e), c.ok) << '"' << c.input << '"';
        if (e && c.ok) {
            EXPECT_EQ(e->host, c.host);
            EXPECT_EQ(e->port, c.port);
            EXPECT_EQ(e->host_is_address, c.is_address) << c.input;
        }
    }
    auto v6 = parse_endpoint("[2001:db8::7]:51820");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->text(), "[2001:db8::7]:51820");
}

TEST(Values, ExposedPorts) {
    const std::vector<TextCase> cases = {
        {"9000", true, "9000/tcp"},
        {"9000/tcp", true, "9000/tcp"},
        {"5353/udp", true, "5353/udp"},
        {"8080:80", true, "8080:80/tcp"},
        {"8080:80/udp", true, "8080:80/udp"},
        {"65535", true, "65535/tcp"},
        {"0", false, ""},
        {"65536", false, ""},
        {"8080:0", false, ""},
        {"0:80", false, ""},
        {"9000/sctp", false, ""},
        {"9000/TCP", false, ""},
        {"9000/", false, ""},
        {":80", false, ""},
        {"8080:", false, ""},
        {"1:2:3", false, ""},
        {"http", false, ""},
        {"127.0.0.1:9000", false, ""},
    };
    for (const auto& c : cases) {
        auto p = parse_exposed_port(c.input);
        EXPECT_EQ(static_cast<bool>(p), c.ok) << '"' << c.input << '"';
        if (p && c.ok) {
            EXPECT_EQ(p->text(), c.expected);
        }
    }
}

TEST(Values, Numbers) {
    struct Case {
        std::string input;
        std::uint64_t min, max;
        bool ok;
        std::uint64_t value;
    };
    const std::vector<Case> cases = {
        {"0", 0, 10, true, 0},
        {"10", 0, 10, true, 10},
        {"11", 0, 10, false, 0},
        {"0x10", 0, 100, true, 16},
        {"0XfF", 0, 1000, true, 255},
        {"0x", 0, 100, false, 0},
        {"0xg", 0, 100, false, 0},
        {"18446744073709551615", 0, UINT64_MAX, true, UINT64_MAX},
        {"18446744073709551616", 0, UINT64_MAX, false, 0},
        {"0xffffffffffffffff", 0, UINT64_MAX, true, UINT64_MAX},
        {"0x10000000000000000", 0, UINT64_MAX, false, 0},
        {"99999999999999999999", 0, UINT64_MAX, false, 0},
        {"", 0, 10, false, 0},
        {"-1", 0, 10, false, 0},
        {"+1", 0, 10, false, 0},
        {" 1", 0, 10, false, 0},
        {"1.0", 0, 10, false, 0},
        {"5", 6, 10, false, 0},
    };
    for (const auto& c : cases) {
        auto n = parse_number(c.input, c.min, c.max);
        EXPECT_EQ(static_cast<bool>(n), c.ok) << '"' << c.input << '"';
        if (n && c.ok) {
            EXPECT_EQ(*n, c.value) << c.input;
        }
    }
}

TEST(Values, Booleans) {
    for (const char* yes : {"yes", "YES", "true", "True", "on", "1"}) {
        auto b = parse_bool(yes);
        ASSERT_TRUE(b) << yes;
        EXPECT_TRUE(*b) << yes;
    }
    for (const char* no : {"no", "No", "false", "FALSE", "off", "0"}) {
        auto b = parse_bool(no);
        ASSERT_TRUE(b) << no;
        EXPECT_FALSE(*b) << no;
    }
    for (const char* bad : {"", "y", "n", "2", "yess", "maybe", "enabled", " yes"}) {
        EXPECT_FALSE(parse_bool(bad)) << bad;
    }
}

TEST(Values, InterfaceNames) {
    for (const char* good : {"wg0", "a", "mullvad-se", "wg_1.2", "123456789012345"}) {
        auto n = parse_interface_name(good);
        ASSERT_TRUE(n) << good;
        EXPECT_EQ(*n, good);
    }
    for (const char* bad :
         {"", "1234567890123456", "wg/0", "wg:0", "wg 0", ".", "..", "wg\t0", "wg\x7f"})
        EXPECT_FALSE(parse_interface_name(bad)) << bad;
}

TEST(Values, UnitNames) {
    const std::vector<TextCase> cases = {
        {"rssbot", true, "rssbot.service"},
        {"rssbot.service", true, "rssbot.service"},
        {"rssbot.socket", true, "rssbot.socket"},
        {"getty@tty1", true, "getty@tty1.service"},
        {"getty@tty1.service", true, "getty@tty1.service"},
        {"my-app_2", true, "my-app_2.service"},
        {"foo.bar", true, "foo.bar.service"},
        {"transmission-daemon", true, "transmission-daemon.service"},
        {"backup.timer", false, ""},
        {"data.mount", false, ""},
        {"multi-user.target", false, ""},
        {"foo/bar", false, ""},
        {"../etc/passwd", false, ""},
        {"..", false, ""},
        {".", false, ""},
        {".service", false, ""},
        {".hidden", false, ""},
        {"@foo", false, ""},
        {"a@b@c", false, ""},
        {"foo bar", false, ""},
        {"foo$", false, ""},
        {"", false, ""},
        {std::string(300, 'a'), false, ""},
    };
    for (const auto& c : cases) {
        auto u = parse_unit_name(c.input);
        EXPECT_EQ(static_cast<bool>(u), c.ok) << '"' << c.input << '"';
        if (u && c.ok) {
            EXPECT_EQ(*u, c.expected);
        }
        if (u) {
            EXPECT_EQ(u->find('/'), std::string::npos);
        }
    }
}

TEST(Values, Domains) {
    for (const char* good : {"example.com", "lan", "a-b.example", "_srv.example", "x."}) {
        EXPECT_TRUE(parse_domain(good)) << good;
    }
    for (const char* bad : {"", ".", "-a.example", "a-.example", "a..b", "a b", "a!b", "a/b",
                            "10.64.0.256", "1.2.3", "123", "a.1", "10.64.0.1.", ".example"})
        EXPECT_FALSE(parse_domain(bad)) << bad;
    EXPECT_FALSE(parse_domain(std::string(64, 'a') + ".example"));
    EXPECT_TRUE(parse_domain(std::string(63, 'a') + ".example"));
}

TEST(Values, AbsolutePaths) {
    EXPECT_TRUE(parse_absolute_path("/etc/wireguard/private.key"));
    EXPECT_TRUE(parse_absolute_path("/a b"));
    EXPECT_FALSE(parse_absolute_path("etc/key"));
    EXPECT_FALSE(parse_absolute_path("./key"));
    EXPECT_FALSE(parse_absolute_path(""));
    EXPECT_FALSE(parse_absolute_path("/etc/\x01key"));
}

TEST(Values, UnitsOfNsvpnItself) {
    for (const char* own :
         {"wg-mullvad.service", "wg-a.service", "netns@mullvad.service", "netns@.service"})
        EXPECT_TRUE(is_nsvpn_unit(own)) << own;
    for (const char* other : {"wg-quick@wg0.service", "wg-.service", "wireguard.service",
                              "rssbot.service", "wg-mullvad.socket", "my-wg-x.service"})
        EXPECT_FALSE(is_nsvpn_unit(other)) << other;
}

TEST(Values, ConfigNames) {
    for (std::string good : {std::string("mullvad"), std::string("a"), std::string("A-Z_0-9"),
                             std::string("se-got-001"), std::string(32, 'x')})
        EXPECT_TRUE(valid_config_name(good)) << good;
    for (std::string bad : {std::string(), std::string(33, 'x'), std::string("a.b"),
                            std::string("a b"), std::string("a/b"), std::string("ä")})
        EXPECT_FALSE(valid_config_name(bad)) << bad;
}

} // namespace
} // namespace nsvpn
