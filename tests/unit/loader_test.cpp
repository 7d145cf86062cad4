// The search path, masking, drop-in directories and conflicts between
// configurations, on real directory trees below /tmp.
#include "loader.hpp"
#include "support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace nsvpn {
namespace {

using test::dump;
using test::TempTree;

std::string config_with_mtu(unsigned mtu) {
    return test::valid_config() + "[Interface]\nMTU = " + std::to_string(mtu) + "\n";
}

std::vector<std::string> names(const std::vector<ConfigFiles>& all) {
    std::vector<std::string> out;
    for (const auto& f : all)
        out.push_back(f.name);
    return out;
}

TEST(Loader, StandardSearchPath) {
    auto sp = SearchPath::standard();
    EXPECT_EQ(sp.root, "");
    EXPECT_EQ(sp.dirs, (std::vector<std::string>{"/etc/nsvpn", "/run/nsvpn", "/usr/local/lib/nsvpn",
                                                 "/usr/lib/nsvpn"}));
    auto rooted = SearchPath::standard("/tmp/x//");
    EXPECT_EQ(rooted.root, "/tmp/x");
    EXPECT_EQ(rooted.real("/etc/nsvpn/a.conf"), "/tmp/x/etc/nsvpn/a.conf");
}

TEST(Loader, NothingThere) {
    TempTree t;
    auto sp = SearchPath::standard(t.root());
    Diagnostics d;
    EXPECT_TRUE(discover_all(sp, d).empty());
    EXPECT_FALSE(d.has_errors());
    EXPECT_FALSE(discover(sp, "absent"));
}

TEST(Loader, FirstDirectoryWinsByName) {
    TempTree t;
    t.write("usr/lib/nsvpn/a.conf", config_with_mtu(1001));
    t.write("usr/local/lib/nsvpn/a.conf", config_with_mtu(1002));
    t.write("run/nsvpn/a.conf", config_with_mtu(1003));
    t.write("etc/nsvpn/a.conf", config_with_mtu(1004));
    t.write("usr/lib/nsvpn/b.conf", config_with_mtu(1011));
    t.write("usr/local/lib/nsvpn/b.conf", config_with_mtu(1012));
    t.write("run/nsvpn/b.conf", config_with_mtu(1013));
    t.write("usr/lib/nsvpn/c.conf", config_with_mtu(1021));
    t.write("usr/local/lib/nsvpn/c.conf", config_with_mtu(1022));
    t.write("usr/lib/nsvpn/d.conf", config_with_mtu(1031));
    auto sp = SearchPath::standard(t.root());

    Diagnostics d;
    auto all = discover_all(sp, d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(names(all), (std::vector<std::string>{"a", "b", "c", "d"}));
    EXPECT_EQ(all[0].main, "/etc/nsvpn/a.conf");
    EXPECT_EQ(all[1].main, "/run/nsvpn/b.conf");
    EXPECT_EQ(all[2].main, "/usr/local/lib/nsvpn/c.conf");
    EXPECT_EQ(all[3].main, "/usr/lib/nsvpn/d.conf");

    const std::vector<unsigned> mtus = {1004, 1013, 1022, 1031};
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_FALSE(all[i].masked);
        auto l = load(sp, all[i]);
        EXPECT_TRUE(l.valid()) << dump(l.diags);
        ASSERT_TRUE(l.config.interface.mtu);
        EXPECT_EQ(l.config.interface.mtu->value, mtus[i]);
        // paths are shown as the system sees them, without the root
        EXPECT_EQ(l.config.source.file, all[i].main);
        EXPECT_EQ(l.config.interface.mtu->where.file, all[i].main);
    }
}

TEST(Loader, DiscoverOneName) {
    TempTree t;
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    t.write("run/nsvpn/vpn.conf", test::valid_config());
    auto f = discover(SearchPath::standard(t.root()), "vpn");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->name, "vpn");
    EXPECT_EQ(f->main, "/run/nsvpn/vpn.conf");
    EXPECT_FALSE(f->masked);
    EXPECT_TRUE(f->dropins.empty());
}

TEST(Loader, MaskedByAnEmptyFile) {
    TempTree t;
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    t.write("etc/nsvpn/vpn.conf", "");
    t.write("usr/lib/nsvpn/vpn.conf.d/10-x.conf", "[Interface]\nMTU = 1400\n");
    auto sp = SearchPath::standard(t.root());
    Diagnostics d;
    auto all = discover_all(sp, d);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].masked);
    EXPECT_EQ(all[0].main, "/etc/nsvpn/vpn.conf");
    EXPECT_TRUE(all[0].dropins.empty());
    auto l = load(sp, all[0]);
    EXPECT_TRUE(l.valid()) << dump(l.diags);
    EXPECT_TRUE(l.config.peers.empty());
    EXPECT_FALSE(l.config.interface.mtu);
    EXPECT_TRUE(l.config.ns.services.empty());
}

TEST(Loader, MaskedBySymlinkToDevNull) {
    TempTree t;
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    t.symlink("etc/nsvpn/vpn.conf", "/dev/null");
    auto f = discover(SearchPath::standard(t.root()), "vpn");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->masked);
    EXPECT_EQ(f->main, "/etc/nsvpn/vpn.conf");
}

TEST(Loader, SymlinkToARealFileIsNoMask) {
    TempTree t;
    t.write("usr/lib/nsvpn/vpn.conf", config_with_mtu(1300));
    t.write("srv/provider.conf", config_with_mtu(1301));
    t.symlink("etc/nsvpn/vpn.conf", t.path("srv/provider.conf"));
    auto sp = SearchPath::standard(t.root());
    auto f = discover(sp, "vpn");
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->masked);
    auto l = load(sp, *f);
    EXPECT_TRUE(l.valid()) << dump(l.diags);
    EXPECT_EQ(l.config.interface.mtu->value, 1301u);
}

TEST(Loader, DirectoryNamedLikeAConfigIsSkipped) {
    TempTree t;
    t.mkdir("etc/nsvpn/vpn.conf");
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    auto f = discover(SearchPath::standard(t.root()), "vpn");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->main, "/usr/lib/nsvpn/vpn.conf");
}

TEST(Loader, DanglingSymlinkIsAnIoError) {
    TempTree t;
    t.symlink("etc/nsvpn/vpn.conf", t.path("nowhere.conf"));
    auto sp = SearchPath::standard(t.root());
    auto f = discover(sp, "vpn");
    ASSERT_TRUE(f);
    auto l = load(sp, *f);
    EXPECT_FALSE(l.valid());
    EXPECT_TRUE(l.diags.has_io_errors());
    EXPECT_TRUE(test::has_error(l.diags, Problem::Io, "/etc/nsvpn/vpn.conf", 0, ""))
        << dump(l.diags);
    // the root is not shown
    for (const auto& diag : l.diags.list()) {
        EXPECT_EQ(diag.format().find(t.root()), std::string::npos) << diag.format();
    }
}

TEST(Loader, DropinsFromAllDirectoriesInLexicalOrder) {
    TempTree t;
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    // 10-a: /run's hides /usr/lib's; 30-c only in /usr/local/lib; 20-b only in /etc
    t.write("usr/lib/nsvpn/vpn.conf.d/10-a.conf", "[Interface]\nMTU = 1111\n");
    t.write("run/nsvpn/vpn.conf.d/10-a.conf", "[Interface]\nMTU = 1200\nListenPort = 1\n");
    t.write("etc/nsvpn/vpn.conf.d/20-b.conf",
            "[Interface]\nMTU = 1300\n[Namespace]\nServices = b\n");
    t.write("usr/local/lib/nsvpn/vpn.conf.d/30-c.conf", "[Namespace]\nServices = c\n");
    // not drop-ins: wrong suffix, hidden, a directory
    t.write("etc/nsvpn/vpn.conf.d/40-d.conf.disabled", "[Interface]\nMTU = 9999\n");
    t.write("etc/nsvpn/vpn.conf.d/.50-e.conf", "[Interface]\nMTU = 9998\n");
    t.mkdir("etc/nsvpn/vpn.conf.d/60-f.conf");
    auto sp = SearchPath::standard(t.root());
    auto f = discover(sp, "vpn");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->dropins, (std::vector<std::string>{"/run/nsvpn/vpn.conf.d/10-a.conf",
                                                    "/etc/nsvpn/vpn.conf.d/20-b.conf",
                                                    "/usr/local/lib/nsvpn/vpn.conf.d/30-c.conf"}));
    auto l = load(sp, *f);
    EXPECT_TRUE(l.valid()) << dump(l.diags);
    EXPECT_EQ(l.config.interface.mtu->value, 1300u);
    EXPECT_EQ(l.config.interface.mtu->where.file, "/etc/nsvpn/vpn.conf.d/20-b.conf");
    EXPECT_EQ(l.config.interface.listen_port->value, 1u);
    ASSERT_EQ(l.config.ns.services.size(), 2u);
    EXPECT_EQ(l.config.ns.services[0].value, "b.service");
    EXPECT_EQ(l.config.ns.services[1].value, "c.service");
    EXPECT_EQ(l.config.dropins, f->dropins);
}

TEST(Loader, DropinOrderIsByFileNameNotByDirectory) {
    TempTree t;
    t.write("etc/nsvpn/vpn.conf", test::valid_config());
    t.write("etc/nsvpn/vpn.conf.d/90-late.conf", "[Interface]\nMTU = 1390\n");
    t.write("usr/lib/nsvpn/vpn.conf.d/05-early.conf", "[Interface]\nMTU = 1305\n");
    auto sp = SearchPath::standard(t.root());
    auto f = discover(sp, "vpn");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->dropins, (std::vector<std::string>{"/usr/lib/nsvpn/vpn.conf.d/05-early.conf",
                                                    "/etc/nsvpn/vpn.conf.d/90-late.conf"}));
    EXPECT_EQ(load(sp, *f).config.interface.mtu->value, 1390u);
}

TEST(Loader, MaskedDropinHidesTheSameNameLaterOn) {
    TempTree t;
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    t.write("usr/lib/nsvpn/vpn.conf.d/10-mtu.conf", "[Interface]\nMTU = 1111\n");
    t.write("usr/lib/nsvpn/vpn.conf.d/20-port.conf", "[Interface]\nListenPort = 2\n");
    t.write("etc/nsvpn/vpn.conf.d/10-mtu.conf", "");
    t.symlink("run/nsvpn/vpn.conf.d/20-port.conf", "/dev/null");
    auto sp = SearchPath::standard(t.root());
    auto f = discover(sp, "vpn");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->dropins.empty());
    auto l = load(sp, *f);
    EXPECT_FALSE(l.config.interface.mtu);
    EXPECT_FALSE(l.config.interface.listen_port);
}

TEST(Loader, InvalidNamesAreReportedAsBadName) {
    TempTree t;
    t.write("etc/nsvpn/good.conf", test::valid_config());
    t.write("etc/nsvpn/bad.name.conf", test::valid_config());
    t.write("run/nsvpn/with space.conf", test::valid_config());
    t.write("usr/lib/nsvpn/" + std::string(33, 'x') + ".conf", test::valid_config());
    t.write("etc/nsvpn/" + std::string(32, 'y') + ".conf", test::valid_config());
    t.write("etc/nsvpn/README", "not a config");
    t.write("etc/nsvpn/.hidden.conf", test::valid_config());
    auto sp = SearchPath::standard(t.root());
    Diagnostics d;
    auto all = discover_all(sp, d);
    EXPECT_EQ(names(all), (std::vector<std::string>{"good", std::string(32, 'y')}));
    auto e = test::errors(d);
    ASSERT_EQ(e.size(), 3u) << dump(d);
    EXPECT_TRUE(test::has_error(d, Problem::BadName, "/etc/nsvpn/bad.name.conf", 0, "")) << dump(d);
    EXPECT_TRUE(test::has_error(d, Problem::BadName, "/run/nsvpn/with space.conf", 0, ""))
        << dump(d);
    EXPECT_TRUE(test::has_error(d, Problem::BadName,
                                "/usr/lib/nsvpn/" + std::string(33, 'x') + ".conf", 0, ""))
        << dump(d);
}

TEST(Loader, LoadRefusesABadNameToo) {
    TempTree t;
    t.write("etc/nsvpn/a.b.conf", test::valid_config());
    auto sp = SearchPath::standard(t.root());
    auto l = load(sp, ConfigFiles{"a.b", "/etc/nsvpn/a.b.conf", false, {}});
    EXPECT_TRUE(test::has_error(l.diags, Problem::BadName, "/etc/nsvpn/a.b.conf", 0, ""))
        << dump(l.diags);
}

TEST(Loader, FilesForAnExplicitPath) {
    TempTree t;
    t.write("work/mullvad.conf", test::valid_config());
    t.write("work/mullvad.conf.d/20-b.conf", "[Interface]\nMTU = 1320\n");
    t.write("work/mullvad.conf.d/10-a.conf", "[Interface]\nMTU = 1310\n");
    t.write("work/mullvad.conf.d/30-c.conf", "");
    auto f = files_for_path(t.path("work/mullvad.conf"));
    EXPECT_EQ(f.name, "mullvad");
    EXPECT_EQ(f.main, t.path("work/mullvad.conf"));
    EXPECT_EQ(f.dropins, (std::vector<std::string>{t.path("work/mullvad.conf.d/10-a.conf"),
                                                   t.path("work/mullvad.conf.d/20-b.conf")}));
    auto l = load(SearchPath{}, f);
    EXPECT_TRUE(l.valid()) << dump(l.diags);
    EXPECT_EQ(l.config.interface.mtu->value, 1320u);
}

TEST(Loader, OversizedFileIsRefused) {
    TempTree t;
    std::string text = test::valid_config();
    while (text.size() <= (1u << 20))
        text += "# padding padding padding padding padding padding padding padding padding\n";
    t.write("etc/nsvpn/big.conf", text);
    auto sp = SearchPath::standard(t.root());
    auto f = discover(sp, "big");
    ASSERT_TRUE(f);
    auto l = load(sp, *f);
    EXPECT_TRUE(test::has_error(l.diags, Problem::Syntax, "/etc/nsvpn/big.conf", 0, ""))
        << dump(l.diags);
}

TEST(Loader, DropinsWithoutAMainFileAreNoConfiguration) {
    TempTree t;
    t.write("etc/nsvpn/ghost.conf.d/10-x.conf", test::valid_config());
    auto sp = SearchPath::standard(t.root());
    Diagnostics d;
    EXPECT_TRUE(discover_all(sp, d).empty());
    EXPECT_FALSE(discover(sp, "ghost"));
}

// discover_all() reads each directory once; it must agree with discover() of
// each name, masks and drop-ins included.
TEST(Loader, DiscoverAllAgreesWithDiscover) {
    TempTree t;
    t.write("usr/lib/nsvpn/a.conf", test::valid_config());
    t.write("etc/nsvpn/a.conf.d/10.conf", "[Interface]\nMTU = 1400\n");
    t.write("usr/lib/nsvpn/a.conf.d/05.conf", "[Interface]\nMTU = 1300\n");
    t.write("usr/lib/nsvpn/a.conf.d/10.conf", "[Interface]\nMTU = 1301\n");
    t.write("usr/lib/nsvpn/b.conf", test::valid_config());
    t.write("etc/nsvpn/b.conf", "");
    t.write("etc/nsvpn/b.conf.d/10.conf", "[Interface]\nMTU = 1400\n");
    t.write("usr/local/lib/nsvpn/c.conf", test::valid_config());
    t.symlink("run/nsvpn/c.conf", "/dev/null");
    t.write("run/nsvpn/d.conf", test::valid_config());
    t.mkdir("etc/nsvpn/d.conf");
    t.write("usr/local/lib/nsvpn/d.conf.d/50.conf", "[Namespace]\nServices = x\n");
    t.symlink("usr/lib/nsvpn/d.conf.d/60.conf", "/dev/null");
    t.write("usr/lib/nsvpn/d.conf.d/70.conf", "[Namespace]\nServices = y\n");
    auto sp = SearchPath::standard(t.root());
    Diagnostics d;
    auto all = discover_all(sp, d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(names(all), (std::vector<std::string>{"a", "b", "c", "d"}));
    for (const auto& f : all) {
        auto one = discover(sp, f.name);
        ASSERT_TRUE(one) << f.name;
        EXPECT_EQ(one->main, f.main) << f.name;
        EXPECT_EQ(one->masked, f.masked) << f.name;
        EXPECT_EQ(one->dropins, f.dropins) << f.name;
    }
    EXPECT_EQ(all[0].dropins, (std::vector<std::string>{"/usr/lib/nsvpn/a.conf.d/05.conf",
                                                        "/etc/nsvpn/a.conf.d/10.conf"}));
    EXPECT_TRUE(all[1].masked);
    EXPECT_TRUE(all[1].dropins.empty());
    EXPECT_TRUE(all[2].masked);
    EXPECT_EQ(all[2].main, "/run/nsvpn/c.conf");
    EXPECT_FALSE(all[3].masked);
    EXPECT_EQ(all[3].main, "/run/nsvpn/d.conf");
    EXPECT_EQ(all[3].dropins, (std::vector<std::string>{"/usr/local/lib/nsvpn/d.conf.d/50.conf",
                                                        "/usr/lib/nsvpn/d.conf.d/70.conf"}));
}

std::vector<Loaded> load_all(const SearchPath& sp) {
    Diagnostics d;
    std::vector<Loaded> out;
    for (const auto& f : discover_all(sp, d))
        if (!f.masked)
            out.push_back(load(sp, f));
    return out;
}

TEST(Loader, ServiceAttachedToTwoVpnsMakesBothInvalid) {
    TempTree t;
    t.write("etc/nsvpn/alpha.conf",
            test::valid_config() + "[Namespace]\nServices = rssbot shared-a\n");
    t.write("etc/nsvpn/beta.conf", test::valid_config() + "[Namespace]\nServices = other\n");
    t.write("etc/nsvpn/beta.conf.d/50-attach.conf", "[Namespace]\nServices = rssbot.service\n");
    t.write("run/nsvpn/gamma.conf", test::valid_config() + "[Namespace]\nServices = third\n");
    auto sp = SearchPath::standard(t.root());
    auto all = load_all(sp);
    ASSERT_EQ(all.size(), 3u);
    for (const auto& l : all) {
        EXPECT_TRUE(l.valid()) << l.config.name << dump(l.diags);
    }

    check_service_conflicts(all);
    EXPECT_FALSE(all[0].valid());
    EXPECT_FALSE(all[1].valid());
    EXPECT_TRUE(all[2].valid()) << dump(all[2].diags);
    EXPECT_TRUE(
        test::has_error(all[0].diags, Problem::Conflict, "/etc/nsvpn/alpha.conf", 10, "Services"))
        << dump(all[0].diags);
    EXPECT_TRUE(test::has_error(all[1].diags, Problem::Conflict,
                                "/etc/nsvpn/beta.conf.d/50-attach.conf", 2, "Services"))
        << dump(all[1].diags);
    // each names the other
    auto a = test::find(all[0].diags, Problem::Conflict);
    auto b = test::find(all[1].diags, Problem::Conflict);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->message.find("beta"), std::string::npos) << a->message;
    EXPECT_NE(a->message.find("rssbot.service"), std::string::npos) << a->message;
    EXPECT_NE(b->message.find("alpha"), std::string::npos) << b->message;
    EXPECT_EQ(test::errors(all[0].diags).size(), 1u) << dump(all[0].diags);
    EXPECT_EQ(test::errors(all[1].diags).size(), 1u) << dump(all[1].diags);
}

TEST(Loader, NoConflictWithoutSharedServices) {
    TempTree t;
    t.write("etc/nsvpn/a.conf", test::valid_config() + "[Namespace]\nServices = x\n");
    t.write("etc/nsvpn/b.conf", test::valid_config() + "[Namespace]\nServices = x.socket\n");
    auto all = load_all(SearchPath::standard(t.root()));
    check_service_conflicts(all);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_TRUE(all[0].valid()) << dump(all[0].diags);
    EXPECT_TRUE(all[1].valid()) << dump(all[1].diags);
}

// A provider's wg-quick file as downloaded, unchanged: comments, a host name in
// Endpoint=, a preshared key, MTU, two DNS servers.
const char* provider_file = "# Mullvad-style configuration generated for device \"brave-otter\"\r\n"
                            "# Server: se-got-wg-001, Gothenburg, Sweden\r\n"
                            "\r\n"
                            "[Interface]\r\n"
                            "# Device: Brave Otter\r\n"
                            "PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\r\n"
                            "Address = 10.64.12.34/32,fc00:bbbb:bbbb:bb01::1:c22/128\r\n"
                            "DNS = 10.64.0.1, 100.64.0.7\r\n"
                            "MTU = 1320\r\n"
                            "\r\n"
                            "[Peer]\r\n"
                            "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\r\n"
                            "PresharedKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\r\n"
                            "AllowedIPs = 0.0.0.0/0,::/0\r\n"
                            "Endpoint = se-got-wg-001.relays.example.net:51820  # the relay\r\n"
                            "PersistentKeepalive = 15\r\n";

TEST(Loader, ProviderFileParsesWithoutErrors) {
    TempTree t;
    t.write("etc/nsvpn/mullvad.conf", provider_file);
    t.write("etc/nsvpn/mullvad.conf.d/50-attach.conf",
            "[Namespace]\nServices = rssbot\n[Expose]\nPort = 9000\n");
    auto sp = SearchPath::standard(t.root());
    auto all = load_all(sp);
    ASSERT_EQ(all.size(), 1u);
    const auto& l = all[0];
    EXPECT_TRUE(l.diags.list().empty()) << dump(l.diags);
    const auto& c = l.config;
    EXPECT_EQ(c.name, "mullvad");
    ASSERT_TRUE(c.interface.private_key);
    EXPECT_EQ(PublicKey{c.interface.private_key->value.bytes()}.base64(), test::private_key);
    ASSERT_EQ(c.interface.addresses.size(), 2u);
    EXPECT_EQ(c.interface.addresses[1].value.text(), "fc00:bbbb:bbbb:bb01::1:c22/128");
    ASSERT_EQ(c.interface.dns_servers.size(), 2u);
    EXPECT_EQ(c.interface.dns_servers[0].value.text(), "10.64.0.1");
    EXPECT_EQ(c.interface.dns_servers[1].value.text(), "100.64.0.7");
    EXPECT_TRUE(c.interface.dns_search.empty());
    EXPECT_EQ(c.interface.mtu->value, 1320u);
    ASSERT_EQ(c.peers.size(), 1u);
    const auto& p = c.peers[0];
    EXPECT_EQ(p.section.line, 11u);
    EXPECT_EQ(p.public_key->value.base64(), test::public_key);
    EXPECT_TRUE(p.preshared_key);
    ASSERT_TRUE(p.endpoint);
    EXPECT_EQ(p.endpoint->value.host, "se-got-wg-001.relays.example.net");
    EXPECT_EQ(p.endpoint->value.port, 51820u);
    EXPECT_FALSE(p.endpoint->value.host_is_address);
    EXPECT_EQ(p.endpoint->where.line, 15u);
    ASSERT_EQ(p.allowed_ips.size(), 2u);
    EXPECT_EQ(p.allowed_ips[1].value.text(), "::/0");
    EXPECT_EQ(p.persistent_keepalive->value, 15u);
    ASSERT_EQ(c.ns.services.size(), 1u);
    EXPECT_EQ(c.ns.services[0].value, "rssbot.service");
    ASSERT_EQ(c.expose.ports.size(), 1u);
}

TEST(Loader, ProtonAndAirVpnStyleFilesParse) {
    const std::string proton = "[Interface]\n"
                               "# Key for nsvpn-test\n"
                               "# Bouncing = 7\n"
                               "# NetShield = 1\n"
                               "# Moderate NAT = off\n"
                               "# NAT-PMP (Port Forwarding) = off\n"
                               "# VPN Accelerator = on\n"
                               "PrivateKey = " +
                               test::private_key +
                               "\n"
                               "Address = 10.2.0.2/32\n"
                               "DNS = 10.2.0.1\n"
                               "\n"
                               "[Peer]\n"
                               "# CH#42\n"
                               "PublicKey = " +
                               test::public_key +
                               "\n"
                               "AllowedIPs = 0.0.0.0/0\n"
                               "Endpoint = 185.159.157.1:51820\n";
    const std::string airvpn = "[Interface]\n"
                               "Address = 10.167.17.2/32,fd7d:76ee:e68f:a993:a1b2:c3d4:e5f6:1/128\n"
                               "PrivateKey = " +
                               test::private_key +
                               "\n"
                               "MTU = 1320\n"
                               "DNS = 10.128.0.1, fd7d:76ee:e68f:a993::1\n"
                               "\n"
                               "[Peer]\n"
                               "PublicKey = " +
                               test::public_key +
                               "\n"
                               "PresharedKey = " +
                               test::preshared_key +
                               "\n"
                               "Endpoint = europe3.vpn.airdns.org:1637\n"
                               "AllowedIPs = 0.0.0.0/0,::/0\n"
                               "PersistentKeepalive = 15\n";
    TempTree t;
    t.write("etc/nsvpn/proton.conf", proton);
    t.write("usr/lib/nsvpn/airvpn.conf", airvpn);
    auto all = load_all(SearchPath::standard(t.root()));
    ASSERT_EQ(all.size(), 2u);
    for (const auto& l : all) {
        EXPECT_TRUE(l.diags.list().empty()) << l.config.name << "\n" << dump(l.diags);
        EXPECT_EQ(l.config.peers.size(), 1u);
    }
    EXPECT_EQ(all[0].config.name, "airvpn");
    EXPECT_EQ(all[0].config.interface.dns_servers.size(), 2u);
    EXPECT_EQ(all[1].config.name, "proton");
    EXPECT_EQ(all[1].config.peers[0].endpoint->value.text(), "185.159.157.1:51820");
}

} // namespace
} // namespace nsvpn

namespace nsvpn {
namespace {

TEST(Loader, FifoNamedLikeAConfigIsSkippedNotOpened) {
    test::TempTree t;
    t.mkdir("etc/nsvpn");
    ASSERT_EQ(mkfifo((t.root() + "/etc/nsvpn/vpn.conf").c_str(), 0600), 0);
    t.write("usr/lib/nsvpn/vpn.conf", test::valid_config());
    Diagnostics d;
    auto all = discover_all(SearchPath::standard(t.root()), d); // must not block
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].main, "/usr/lib/nsvpn/vpn.conf");
}

} // namespace
} // namespace nsvpn
