// Key files: reading them and warning about who else can read keys.
#include "secrets.hpp"
#include "support.hpp"

#include <gtest/gtest.h>
#include <string>

namespace nsvpn {
namespace {

using test::dump;
using test::TempTree;

TEST(Secrets, ReadKeyFile) {
    TempTree t;
    t.write("k1", test::private_key);
    t.write("k2", "\n  " + test::private_key + " \r\n\n");
    for (const char* name : {"k1", "k2"}) {
        auto k = read_key_file(t.path(name));
        ASSERT_TRUE(k) << name << ": " << k.error();
        EXPECT_EQ(PublicKey{k->bytes()}.base64(), test::private_key);
    }
}

TEST(Secrets, BadKeyFiles) {
    TempTree t;
    t.write("empty", "");
    t.write("short", test::private_key.substr(0, 30));
    t.write("two", test::private_key + "\n" + test::private_key + "\n");
    t.write("conf", "[Interface]\nPrivateKey = " + test::private_key + "\n");
    for (const char* name : {"empty", "short", "two", "conf"}) {
        auto k = read_key_file(t.path(name));
        EXPECT_FALSE(k) << name;
        if (!k) {
            EXPECT_EQ(k.error().find(test::private_key.substr(0, 10)), std::string::npos)
                << k.error();
            EXPECT_EQ(k.error().find(test::private_key.substr(20, 10)), std::string::npos)
                << k.error();
        }
    }
    auto missing = read_key_file(t.path("absent"));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("cannot open"), std::string::npos) << missing.error();
}

test::Result config_with_key_file(const std::string& path) {
    return test::parse_text("[Interface]\nPrivateKeyFile = " + path +
                            "\nAddress = 10.2.0.2/32\n[Peer]\nPublicKey = " + test::public_key +
                            "\nAllowedIPs = 0.0.0.0/0\nPresharedKeyFile = /etc/nsvpn/psk\n");
}

TEST(Secrets, PrivateAndPresharedKeyFilesAreChecked) {
    TempTree t;
    t.write("etc/nsvpn/keys/test.key", test::private_key + "\n", 0600);
    t.write("etc/nsvpn/psk", test::preshared_key + "\n", 0400);
    auto r = config_with_key_file("/etc/nsvpn/keys/test.key");
    ASSERT_FALSE(r.diags.has_errors()) << dump(r.diags);
    check_secrets(SearchPath::standard(t.root()), r.config, r.diags);
    EXPECT_TRUE(r.diags.list().empty()) << dump(r.diags);
}

TEST(Secrets, MissingKeyFileIsAnErrorAtItsLine) {
    TempTree t;
    t.write("etc/nsvpn/psk", "not a key\n", 0600);
    auto r = config_with_key_file("/etc/nsvpn/keys/absent.key");
    check_secrets(SearchPath::standard(t.root()), r.config, r.diags);
    EXPECT_TRUE(test::has_error(r.diags, Problem::BadValue, test::main_file, 2, "PrivateKeyFile"))
        << dump(r.diags);
    EXPECT_TRUE(test::has_error(r.diags, Problem::BadValue, test::main_file, 7, "PresharedKeyFile"))
        << dump(r.diags);
    // the root is not shown
    for (const auto& d : r.diags.list()) {
        EXPECT_EQ(d.format().find(t.root()), std::string::npos) << d.format();
    }
}

TEST(Secrets, SharedKeyFileGetsAWarning) {
    TempTree t;
    t.write("etc/nsvpn/keys/test.key", test::private_key + "\n", 0644);
    t.write("etc/nsvpn/psk", test::preshared_key + "\n", 0640);
    auto r = config_with_key_file("/etc/nsvpn/keys/test.key");
    check_secrets(SearchPath::standard(t.root()), r.config, r.diags);
    EXPECT_FALSE(r.diags.has_errors()) << dump(r.diags);
    auto w = test::warnings(r.diags);
    ASSERT_EQ(w.size(), 2u) << dump(r.diags);
    for (const auto& d : w) {
        EXPECT_EQ(d.problem, Problem::Insecure);
    }
    EXPECT_EQ(w[0].file, "/etc/nsvpn/keys/test.key");
    EXPECT_NE(w[0].message.find("0644"), std::string::npos) << w[0].message;
    EXPECT_EQ(w[1].file, "/etc/nsvpn/psk");
    EXPECT_NE(w[1].message.find("0640"), std::string::npos) << w[1].message;
}

TEST(Secrets, InlineKeyInASharedConfigGetsAWarning) {
    TempTree t;
    t.write("etc/nsvpn/test.conf", test::valid_config(), 0644);
    auto r = test::parse_text(test::valid_config());
    check_secrets(SearchPath::standard(t.root()), r.config, r.diags);
    auto w = test::find(r.diags, Problem::Insecure, Severity::Warning);
    ASSERT_TRUE(w) << dump(r.diags);
    EXPECT_EQ(w->file, test::main_file);
    EXPECT_EQ(w->line, 2u);
    EXPECT_EQ(w->key, "PrivateKey");

    TempTree private_tree;
    private_tree.write("etc/nsvpn/test.conf", test::valid_config(), 0600);
    auto r2 = test::parse_text(test::valid_config());
    check_secrets(SearchPath::standard(private_tree.root()), r2.config, r2.diags);
    EXPECT_TRUE(r2.diags.list().empty()) << dump(r2.diags);
}

} // namespace
} // namespace nsvpn
